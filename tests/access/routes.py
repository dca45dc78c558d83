"""Every REST operation of the four services, with one schema-valid request drawn for each."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from schemathesis.generation import GenerationMode

from services.assessment.app import create_app as assessment_app
from services.enrollment.app import create_app as enrollment_app
from services.funding.app import create_app as funding_app
from services.matching.app import create_app as matching_app

APPS: dict[str, Callable[[], FastAPI]] = {
    "enrollment": enrollment_app,
    "assessment": assessment_app,
    "funding": funding_app,
    "matching": matching_app,
}
# Probes and metrics answer everyone (no data); the design table covers every other operation.
PUBLIC = {"/healthz", "/readyz", "/metrics", "/openapi.json", "/docs", "/redoc", "/docs/oauth2-redirect"}


@dataclass(frozen=True)
class Operation:
    service: str
    method: str
    path: str

    @property
    def key(self) -> str:
        return f"{self.service} {self.method} {self.path}"


def walk(routes: list[Any]) -> list[Any]:
    """Routes, with included routers (FastAPI keeps them as contexts) flattened."""
    flat = []
    for route in routes:
        if hasattr(route, "effective_route_contexts"):
            flat += list(route.effective_route_contexts())
        else:
            flat.append(route)
    return flat


def operations(service: str, app: FastAPI) -> list[Operation]:
    """Walks `app.routes`: every method of every API route, probes excepted."""
    found = []
    for route in walk(app.routes):
        methods = getattr(route, "methods", None)
        path = getattr(route, "path", "")
        if not methods or path in PUBLIC:
            continue
        for method in sorted(methods - {"HEAD", "OPTIONS"}):
            found.append(Operation(service, method, path))
    return found


def one_case(operation: Any) -> Any:
    """One schema-valid request, reproducibly, so a refusal is never a validation error in disguise."""
    cases: list[Any] = []

    @settings(
        max_examples=1,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=GenerationMode.POSITIVE))
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    return cases[0]


def cases(app: FastAPI) -> dict[tuple[str, str], Any]:
    schema = schemathesis.openapi.from_dict(app.openapi())
    drawn = {}
    for result in schema.get_all_operations():
        operation = result.ok()
        if operation.path in PUBLIC:
            continue
        drawn[(operation.method.upper(), operation.path)] = one_case(operation)
    return drawn
