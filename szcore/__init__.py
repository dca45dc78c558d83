"""Shared infrastructure of the Shuzhuan services: settings, database, events, auth, errors, health, logging.

Domain rules never live here.
"""
