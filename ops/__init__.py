"""Operator commands: migrate, serve, run the local platform, dev tokens, dead letters, audit chains."""
