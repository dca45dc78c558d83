"""Versioned REST for county systems (区县系统), mounted at /county/v1 with its own OpenAPI document."""

from fastapi import FastAPI

PREFIX = "/county/v1"


def mount_county_api(app: FastAPI) -> None:
    from gateway.county.endpoints import create_county_api

    app.mount(PREFIX, create_county_api(app))
