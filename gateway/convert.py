"""Conversions from the services' JSON to the values GraphQL types hold."""

from datetime import date, datetime


def parse_datetime(value: str | None) -> datetime | None:
    return datetime.fromisoformat(value) if value else None


def parse_date(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None
