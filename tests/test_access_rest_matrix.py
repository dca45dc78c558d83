"""Every role × every REST operation of the four services, against the design table in
`tests/access/rest_design.py`: an allowed role is never refused (401/403), every other role is refused
with 403 (or 404 where a record is hidden by scope) as problem+json with a code, and nothing answers 5xx.

The operations come from walking each service's `app.routes`; each gets one schema-valid request (drawn
by schemathesis), so a refusal is an authorisation decision, not a validation error. A new route without
a row in the design table fails the suite. SZ_ACCESS_PROBE=path writes the observed statuses as JSON.
"""

import json
import os
from collections.abc import AsyncIterator, Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy.ext.asyncio import AsyncSession

from szcore.auth import Role
from tests.access.rest_design import DESIGN, OWN, SCOPES
from tests.access.routes import APPS, cases, operations
from tests.support.fixtures import Tokens, override_sessions, rolled_back_session

REFUSALS = {403, 404}


def savepoint_client(app: FastAPI, session: AsyncSession) -> httpx.AsyncClient:
    """Each request in its own savepoint: an allowed write does not change what the next role sees."""

    async def override() -> AsyncIterator[AsyncSession]:
        nested = await session.begin_nested()
        try:
            yield session
            await session.flush()
        finally:
            if nested.is_active:
                await nested.rollback()

    override_sessions(app, override)
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://service.test")


async def send(client: httpx.AsyncClient, case: Any, headers: dict[str, str]) -> httpx.Response:
    # Scoped roles ask about their own enterprise / organisation, so a refusal is about the role itself.
    for name, value in OWN.items():
        if case.path_parameters and name in case.path_parameters:
            case.path_parameters[name] = value
    kwargs = case.as_transport_kwargs(base_url=str(client.base_url), headers=headers)
    data = kwargs.get("data")
    request = client.build_request(
        kwargs["method"],
        kwargs["url"],
        headers=kwargs.get("headers"),
        params=kwargs.get("params"),
        content=data if isinstance(data, bytes | str) else None,
        data=data if isinstance(data, dict) else None,
        json=kwargs.get("json"),
        files=kwargs.get("files"),
    )
    return await client.send(request)


def judge(allowed: bool, response: httpx.Response) -> str | None:
    status = response.status_code
    if status >= 500:
        return f"server error {status}: {response.text[:200]}"
    if allowed:
        if status in (401, 403):
            return f"allowed role refused {status}: {response.text[:200]}"
        return None
    if status == 422 and response.json().get("code") == "validation_failed":
        return None  # refused by request validation before any code runs: nothing done, nothing learned
    if status not in REFUSALS:
        return f"not refused ({status}): {response.text[:160]}"
    if not response.headers.get("content-type", "").startswith("application/problem+json"):
        return f"refusal {status} is not problem+json"
    if not response.json().get("code"):
        return f"refusal {status} has no code"
    return None


async def observe(service: str, session: AsyncSession, tokens: Tokens) -> tuple[list[str], dict[str, Any]]:
    app = APPS[service]()
    findings: list[str] = []
    observed: dict[str, Any] = {}
    drawn = cases(app)
    async with savepoint_client(app, session) as client:
        for operation in operations(service, app):
            case = drawn.get((operation.method, operation.path))
            if case is None:
                findings.append(f"{operation.key}: not in the OpenAPI document")
                continue
            allowed = DESIGN.get(operation.key)
            if allowed is None:
                findings.append(f"{operation.key}: no row in the design table")
            for role in Role:
                response = await send(client, case, tokens.headers(role, **SCOPES.get(role.value, {})))
                observed.setdefault(operation.key, {})[role.value] = response.status_code
                if allowed is None:
                    continue
                problem = judge(role.value in allowed, response)
                if problem:
                    findings.append(f"{operation.key} [{role.value}]: {problem}")
            unauthenticated = await send(client, case, {})
            if unauthenticated.status_code != 401:
                findings.append(f"{operation.key} [no token]: {unauthenticated.status_code}")
    return findings, observed


@pytest.mark.parametrize("service", sorted(APPS))
class TestRestMatrix:
    async def test_every_role_on_every_operation_as_designed(
        self,
        service: str,
        migrated_engines: Callable,  # type: ignore[type-arg]
        tokens: Tokens,
    ) -> None:
        engine = await migrated_engines(service)
        async for session in rolled_back_session(engine):
            findings, observed = await observe(service, session, tokens)
        if probe := os.environ.get("SZ_ACCESS_PROBE"):
            Path(f"{probe}.{service}.json").write_text(json.dumps(observed, indent=1, sort_keys=True))
        assert findings == [], f"{len(findings)} findings:\n" + "\n".join(findings)


class TestDesignTable:
    def test_no_row_for_an_operation_that_no_longer_exists(self) -> None:
        keys = {op.key for service, factory in APPS.items() for op in operations(service, factory())}
        assert sorted(set(DESIGN) - keys) == []
