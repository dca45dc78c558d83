"""The screens' example queries (gateway/examples/<audience>/) through the real gateway, sent as persisted
queries (hash only, no text), with the token of the audience they are written for: each must be registered,
must be allowed for its audience, and must not crash or fail upstream. Records named by the placeholder
variables mostly do not exist, so not-found codes are fine; refusals are not."""

import hashlib
from pathlib import Path
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLScalarType,
    OperationDefinitionNode,
    OperationType,
    parse,
    type_from_ast,
)

from gateway.guard import OPERATIONS_DIR
from gateway.schema import schema
from ops.local import Platform
from szcore.auth import Role
from tests.test_gateway_matrix import COUNTY, PROVIDER_ID, SCOPES, STRINGS, USCC, bearer, codes
from tests.test_gateway_matrix import registered as registered  # the shared fixture

pytestmark = pytest.mark.e2e

AUDIENCE_ROLES = {
    "city": Role.city_admin,
    "county": Role.county_admin,
    "enterprise": Role.enterprise,
    "provider": Role.provider,
    "expert": Role.expert,
    "evaluator": Role.evaluator,
    "national": Role.national_platform,
    "enrollment": Role.city_admin,
}
VALUES: dict[str, Any] = {
    **STRINGS,
    "uscc": USCC,
    "countyCode": COUNTY,
    "providerId": PROVIDER_ID,
    "programmeId": "default",
}
REFUSALS = {"ROLE_NOT_ALLOWED", "COUNTY_FORBIDDEN", "TOKEN_MISSING", "TOKEN_EXPIRED", "TOKEN_INVALID"}
FAILURES = {"INTERNAL_ERROR", "UPSTREAM_ERROR", "GRAPHQL_VALIDATION_FAILED", "PERSISTED_QUERY_NOT_FOUND"}


def value_for(name: str, type_: GraphQLInputType) -> Any:
    if isinstance(type_, GraphQLNonNull):
        return value_for(name, type_.of_type)
    if isinstance(type_, GraphQLList):
        return [value_for(name, type_.of_type)]
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    assert isinstance(type_, GraphQLScalarType), (name, type_)
    if type_.name in ("Int", "Fen"):
        return 1
    return VALUES.get(name, f"matrix-{name.lower()}")


def example_queries() -> list[Any]:
    cases = []
    for path in sorted(OPERATIONS_DIR.rglob("*.graphql")):
        [definition] = parse(path.read_text()).definitions
        assert isinstance(definition, OperationDefinitionNode)
        if definition.operation == OperationType.QUERY:
            cases.append(pytest.param(path, id=str(path.relative_to(OPERATIONS_DIR))))
    return cases


def variables(text: str) -> dict[str, Any]:
    [definition] = parse(text).definitions
    assert isinstance(definition, OperationDefinitionNode)
    result = {}
    for variable in definition.variable_definitions or ():
        type_ = type_from_ast(schema._schema, variable.type)
        if isinstance(type_, GraphQLNonNull) and variable.default_value is None:
            result[variable.variable.name.value] = value_for(variable.variable.name.value, type_)  # type: ignore[arg-type]
    return result


@pytest.mark.parametrize("path", example_queries())
async def test_example_query_runs_for_its_audience(
    platform: Platform, tokens, registered: str, path: Path
) -> None:
    text = path.read_text()
    role = AUDIENCE_ROLES[path.relative_to(OPERATIONS_DIR).parts[0]]
    body = {
        "extensions": {
            "persistedQuery": {"version": 1, "sha256Hash": hashlib.sha256(text.encode()).hexdigest()}
        },
        "variables": variables(text),
    }
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:
        response = await client.post(
            "/graphql", json=body, headers=bearer(tokens(role, **SCOPES.get(role, {})))
        )
    assert response.status_code == 200, response.text
    found = codes(response.json())
    assert None not in found, response.json()
    assert not (REFUSALS | FAILURES) & set(found), response.json()
