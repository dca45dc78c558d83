"""schemathesis against every service's OpenAPI document, in-process over ASGI, with the tokens of several
roles: no 5xx, and every answer is one the operation documents (status, content type, body schema).

Cases are drawn with schemathesis' Hypothesis strategies and sent through the services' own httpx ASGI
client inside one rolled-back transaction (each request in a savepoint), so nothing needs a server.
SZ_HOSTILE_EXAMPLES sets the examples per operation and generation mode (default small, for CI); each case
goes out with one role's token in turn, or with every role's with SZ_HOSTILE_ALL_ROLES=1.
"""

import asyncio
import os
from collections.abc import AsyncIterator, Callable
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)
from sqlalchemy.ext.asyncio import AsyncSession

from services.assessment.app import create_app as assessment_app
from services.enrollment.app import create_app as enrollment_app
from services.funding.app import create_app as funding_app
from services.matching.app import create_app as matching_app
from tests.support.fixtures import Tokens, override_sessions, rolled_back_session

EXAMPLES = int(os.environ.get("SZ_HOSTILE_EXAMPLES", "2"))
ALL_ROLES = os.environ.get("SZ_HOSTILE_ALL_ROLES") == "1"
APPS: dict[str, Callable[[], FastAPI]] = {
    "enrollment": enrollment_app,
    "assessment": assessment_app,
    "funding": funding_app,
    "matching": matching_app,
}
ROLES: dict[str, dict[str, str]] = {
    "city_admin": {},
    "county_admin": {"county": "410322"},
    "enterprise": {"uscc": "91410300MA44FFTP7K"},
    "provider": {"provider_id": "P-hostile"},
    "expert": {},
}
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Operations that need a server process's runtime (engine, bus) rather than a request session.
SKIPPED = {"/readyz"}


def draw(strategy: Any, count: int) -> list[Any]:
    """Up to `count` generated cases, reproducibly (derandomised), without shrinking."""
    cases: list[Any] = []

    @settings(
        max_examples=count,
        database=None,
        derandomize=True,
        deadline=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(strategy)
    def collect(case: Any) -> None:
        cases.append(case)

    collect()
    return cases


def savepoint_client(app: FastAPI, session: AsyncSession) -> httpx.AsyncClient:
    """Each request in its own savepoint: a refused write does not poison the requests after it."""

    lock = asyncio.Lock()  # one session: the gateway's concurrent upstream calls take turns

    async def override() -> AsyncIterator[AsyncSession]:
        async with lock:
            nested = await session.begin_nested()
            try:
                yield session
                await session.flush()
            except BaseException:
                await nested.rollback()
                raise
            if nested.is_active:
                await nested.commit()

    override_sessions(app, override)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service.test")


CASES: dict[str, list[tuple[str, Any]]] = {}


def cases_for(service: str, app: FastAPI) -> list[tuple[str, Any]]:
    """The drawn cases of a service, once per run: they do not depend on the role or the backend."""
    if service not in CASES:
        schema = schemathesis.openapi.from_dict(app.openapi())
        drawn: list[tuple[str, Any]] = []
        for result in schema.get_all_operations():
            operation = result.ok()
            if operation.path in SKIPPED:
                continue
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                try:
                    drawn += [
                        (mode.value, case)
                        for case in draw(operation.as_strategy(generation_mode=mode), EXAMPLES)
                    ]
                except Unsatisfiable:
                    continue  # nothing in the operation can be made invalid
        CASES[service] = drawn
    return CASES[service]


async def send(client: httpx.AsyncClient, case: Any, headers: dict[str, str]) -> httpx.Response | None:
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    data = kwargs.get("data")
    try:
        request = client.build_request(
            kwargs["method"],
            kwargs["url"],
            headers=kwargs.get("headers"),
            params=kwargs.get("params"),
            content=data if isinstance(data, bytes | str) else None,
            data=data if isinstance(data, dict) else None,
            json=kwargs.get("json"),
            cookies=kwargs.get("cookies"),
        )
    except httpx.InvalidURL:
        return None  # httpx refuses to send it (e.g. a query over its length limit)
    return await client.send(request)


async def exercise(service: str, session: AsyncSession, tokens: Tokens) -> list[str]:
    app = APPS[service]()
    findings: list[str] = []
    async with savepoint_client(app, session) as client:
        roles = list(ROLES.items())
        for number, (mode, case) in enumerate(cases_for(service, app)):
            # Each case with one role in turn (every role with SZ_HOSTILE_ALL_ROLES=1, for deeper runs).
            for role, scope in roles if ALL_ROLES else [roles[number % len(roles)]]:
                headers = tokens.headers(role, **scope)
                response = await send(client, case, headers)
                if response is None:
                    continue
                try:
                    case.validate_response(response, checks=CHECKS, headers=headers)
                except (Exception, BaseExceptionGroup) as exc:
                    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
                    findings.append(
                        f"{case.operation.label} [{mode}, {role}] -> {response.status_code}: "
                        + " | ".join(lines[1:5])
                        + f" | body: {response.text[:160]}"
                    )
    return findings


@pytest.mark.parametrize("service", sorted(APPS))
class TestOpenApiContracts:
    async def test_no_server_error_and_every_answer_documented(
        self,
        service: str,
        migrated_engines: Callable,
        tokens: Tokens,  # type: ignore[type-arg]
    ) -> None:
        engine = await migrated_engines(service)
        async for session in rolled_back_session(engine):
            findings = await exercise(service, session, tokens)
        unique = sorted(set(findings))
        assert unique == [], f"{len(unique)} findings:\n" + "\n".join(unique)
