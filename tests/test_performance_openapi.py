"""schemathesis against the four services' `/stats/performance`, with every role's token: no 5xx, and
every answer is one the operation documents."""

from collections.abc import Callable

import pytest
import schemathesis
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode

from tests.support.fixtures import Tokens, rolled_back_session
from tests.test_hostile_openapi import APPS, CHECKS, ROLES, draw, savepoint_client, send


@pytest.mark.parametrize("service", sorted(APPS))
class TestStatsContract:
    async def test_every_answer_documented(
        self, service: str, migrated_engines: Callable, tokens: Tokens
    ) -> None:  # type: ignore[type-arg]
        app = APPS[service]()
        operation = schemathesis.openapi.from_dict(app.openapi())["/stats/performance"]["GET"]
        cases = []
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                cases += draw(operation.as_strategy(generation_mode=mode), 4)
            except Unsatisfiable:
                continue
        assert cases
        findings = []
        async for session in rolled_back_session(await migrated_engines(service)):
            async with savepoint_client(app, session) as client:
                for case in cases:
                    for role, scope in ROLES.items():
                        headers = tokens.headers(role, **scope)
                        response = await send(client, case, headers)
                        if response is None:
                            continue
                        try:
                            case.validate_response(response, checks=CHECKS, headers=headers)
                        except (Exception, BaseExceptionGroup) as exc:
                            findings.append(f"{role} -> {response.status_code}: {str(exc)[:300]}")
        assert findings == []
