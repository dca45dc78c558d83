"""Authorisation matrix through the real gateway (issue 7): every Query and Mutation field of the schema,
called by a token of each of the nine roles against the five real processes.

The operations are generated from `gateway.schema.schema`: placeholder arguments (valid-looking strings, a
valid USCC, county 410322, ints 1, enums their first value, input objects with their required fields) and a
selection of `__typename` only (plus `errors { code }` on payloads that carry typed errors). Whatever the
role, the gateway must answer HTTP 200, every error must carry an `extensions.code`, and no call may end in an
upstream 5xx (`UPSTREAM_ERROR`) or a crash (`INTERNAL_ERROR`). The design table `gateway/access.py` says
which roles may call each operation: those are never refused with a refusal code (ROLE_NOT_ALLOWED,
COUNTY_FORBIDDEN, PROVIDER_FORBIDDEN), every other role is. A smaller hand-written table asserts the exact
refusal code for key operations.

The matrix's own enterprise is registered first (USCC below, county 410322), so calls about it reach the
services' authorisation checks; other placeholders name records that do not exist, so most allowed calls end
in a not-found or validation code. The matrix is about who is refused and that nothing crashes, not about the
happy paths (those live in the domains' e2e tests). Allowed mutations do change the shared session platform:
they add the matrix's own provider (PRV-MATRIX-0001), expert, activity, funding source, designation,
self-assessment and a revisit draw of one enterprise; nothing named by another test.
"""

import asyncio
import json
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLField,
    GraphQLInputObjectType,
    GraphQLList,
    GraphQLNamedType,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLScalarType,
    Undefined,
    get_named_type,
    parse,
    validate,
)

from gateway.access import ACCESS
from gateway.schema import schema
from ops.local import Platform
from services.enrollment.enterprise.uscc import check_digit
from szcore.auth import Role

pytestmark = pytest.mark.e2e

COUNTY = "410322"
OTHER_COUNTY = "410323"
# Valid USCCs of the matrix's own, so that it does not collide with what other e2e tests register in the
# shared session platform.
USCC = "91410322MA9MTRX10" + check_digit("91410322MA9MTRX10")
OTHER_USCC = "91410323MA9MTRX20" + check_digit("91410323MA9MTRX20")
PROVIDER_ID = "PRV-MATRIX-0001"

SCOPES: dict[Role, dict[str, str]] = {
    Role.county_admin: {"county": COUNTY},
    Role.county_system: {"county": COUNTY},
    Role.enterprise: {"uscc": USCC},
    Role.provider: {"provider_id": PROVIDER_ID},
}

FORBIDDEN_CODES = {"INTERNAL_ERROR", "UPSTREAM_ERROR"}
CONCURRENCY = 8

# Placeholder strings by argument or input field name; anything else gets "matrix-<name>".
STRINGS: dict[str, str] = {
    "uscc": USCC,
    "countyCode": COUNTY,
    "county": COUNTY,
    "industryCode": "C34",
    "industry": "C34",
    "name": "矩阵测试有限公司",
    "sizeClass": "ABOVE_SCALE",
    "programmeId": "default",
    "programme": "default",
    "scope": "default",
    "policyKey": "matrix-policy",
    "key": "matrix-policy",
    "format": "csv",
    "period": "2026",
    "level": "city",
    "step": "county",
    "decision": "approve",
    "result": "pass",
    "partyType": "enterprise",
    "relation": "employer",
    "reason": "矩阵测试",
    "comment": "矩阵测试",
    "content": "矩阵测试",
    "resolution": "矩阵测试",
    "note": "矩阵测试",
    "counties": COUNTY,
    "industries": "C34",
    "fields": "智能制造",
    # The matrix's own provider (applied for in `seeded`), so provider calls reach a real record.
    "providerId": PROVIDER_ID,
}
INTS: dict[str, str] = {"year": "2026", "fiscalYear": "2026", "excellentYear": "2026", "targetLevel": "2"}
# Where the generic placeholder would fail the services' input validation for every role (and so hide the
# authorisation check behind it): literal arguments by operation and argument name.
ARGUMENTS: dict[str, dict[str, str]] = {
    "recordClaimAudit": {"result": '"passed"'},
    "clawBackClaim": {"reason": '"other"'},
    "drawRevisits": {"input": '{label: "matrix", sampleSize: 1}'},
    "addNeed": {"input": f'{{uscc: "{USCC}", scenarioCode: "matrix-scenario", title: "矩阵测试需求"}}'},
    # An id, so that the call reaches the service (the gateway asks for one itself).
    "configureProgramme": {"config": '{id: "matrix-programme"}'},
    # A county organises activities in its own county (a city-wide one is the city's).
    "createActivity": {
        "input": f'{{kind: MATCHMAKING, title: "matrix-title", startsAt: "2026-01-01T00:00:00Z", '
        f'capacity: 1, countyCode: "{COUNTY}"}}'
    },
}
SCALARS: dict[str, str] = {
    "Int": "1",
    "Float": "1.0",
    "Boolean": "false",
    "ID": '"1"',
    "Fen": "100",
    "JSON": "{}",
    "Date": '"2026-01-01"',
    "DateTime": '"2026-01-01T00:00:00Z"',
}


def literal(name: str, type_: Any, depth: int = 0) -> str:
    """A GraphQL literal for an argument or input field of this name and type."""
    if isinstance(type_, GraphQLNonNull):
        return literal(name, type_.of_type, depth)
    if isinstance(type_, GraphQLList):
        return f"[{literal(name, type_.of_type, depth)}]"
    if isinstance(type_, GraphQLEnumType):
        return next(iter(type_.values))
    if isinstance(type_, GraphQLInputObjectType):
        fields = [
            f"{field_name}: {literal(field_name, field.type, depth + 1)}"
            for field_name, field in type_.fields.items()
            if isinstance(field.type, GraphQLNonNull) and field.default_value is Undefined and depth < 5
        ]
        return "{" + ", ".join(fields) + "}"
    assert isinstance(type_, GraphQLScalarType), type_
    if type_.name == "Int" and name in INTS:
        return INTS[name]
    if type_.name in SCALARS:
        return SCALARS[type_.name]
    assert type_.name == "String", type_.name
    value = STRINGS.get(name)
    return json.dumps(value if value is not None else f"matrix-{name.lower()}", ensure_ascii=False)


def selection(type_: GraphQLNamedType) -> str:
    if isinstance(type_, GraphQLObjectType) and "errors" in type_.fields:
        errors = get_named_type(type_.fields["errors"].type)
        if isinstance(errors, GraphQLObjectType) and "code" in errors.fields:
            return "{ __typename errors { code } }"
    if isinstance(type_, GraphQLObjectType):
        return "{ __typename }"
    return ""


def operation(kind: str, name: str, field: GraphQLField) -> str:
    # One idempotency key per operation (a key reused by another kind of money move is refused as REUSED).
    overrides = {"idempotencyKey": f'"matrix-{name.lower()}-0001"', **ARGUMENTS.get(name, {})}
    args = [
        f"{arg_name}: {overrides.get(arg_name) or literal(arg_name, arg.type)}"
        for arg_name, arg in field.args.items()
        if isinstance(arg.type, GraphQLNonNull) and arg.default_value is Undefined
    ]
    call = f"{name}({', '.join(args)})" if args else name
    op_name = "Matrix" + name[0].upper() + name[1:]
    return f"{kind} {op_name} {{ {call} {selection(get_named_type(field.type))} }}"


def operations() -> dict[str, str]:
    graphql_schema = schema._schema
    assert graphql_schema.query_type is not None and graphql_schema.mutation_type is not None
    built = {
        **{
            f"query.{name}": operation("query", name, field)
            for name, field in graphql_schema.query_type.fields.items()
        },
        **{
            f"mutation.{name}": operation("mutation", name, field)
            for name, field in graphql_schema.mutation_type.fields.items()
        },
    }
    return built


OPERATIONS = operations()

# Calls that end in an upstream 5xx or a crash today (found by this matrix; see the reasons). Keyed by
# (operation key, role); strict, so a fix turns them into a failure that asks for the entry's removal.
KNOWN_FAILURES: dict[tuple[str, Role], str] = {}


@dataclass(frozen=True)
class Call:
    key: str
    role: Role
    status: int
    body: Any


def codes(body: Any) -> list[str | None]:
    if not isinstance(body, dict):
        return []
    return [(error.get("extensions") or {}).get("code") for error in body.get("errors") or []]


def bearer(token: str) -> dict[str, str]:
    return {"authorization": f"Bearer {token}"}


async def post(client: httpx.AsyncClient, token: str, query: str) -> tuple[int, Any]:
    response = await client.post("/graphql", json={"query": query}, headers=bearer(token))
    try:
        return response.status_code, response.json()
    except ValueError:
        return response.status_code, response.text


REGISTER = """
mutation MatrixRegister($input: RegisterEnterpriseInput!) {
  registerEnterprise(input: $input) { enterprise { uscc } errors { code } }
}"""
KNOWN = """
query MatrixKnown($uscc: String!) {
  enterprise(uscc: $uscc) { assessment { knownSince } matching { knownSince } funding { knownSince } }
}"""


@pytest.fixture(scope="module")
async def registered(platform: Platform, tokens) -> str:
    """The matrix's enterprise, registered and copied by every service, so that calls about it get past the
    lookup to the authorisation check (several services look a record up before they check the role)."""
    enterprise = {
        "uscc": USCC,
        "name": "矩阵测试有限公司",
        "countyCode": COUNTY,
        "industryCode": "C34",
        "sizeClass": "ABOVE_SCALE",
    }
    token = tokens(Role.city_admin)
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:
        response = await client.post(
            "/graphql", json={"query": REGISTER, "variables": {"input": enterprise}}, headers=bearer(token)
        )
        payload = response.json()["data"]["registerEnterprise"]
        assert payload["enterprise"] or [e["code"] for e in payload["errors"]] == ["DUPLICATE_USCC"], payload
        deadline = asyncio.get_running_loop().time() + 20
        while True:
            response = await client.post(
                "/graphql", json={"query": KNOWN, "variables": {"uscc": USCC}}, headers=bearer(token)
            )
            known = (response.json().get("data") or {}).get("enterprise") or {}
            if all(known.get(part) for part in ("assessment", "matching", "funding")):
                return USCC
            assert asyncio.get_running_loop().time() < deadline, response.json()
            await asyncio.sleep(0.2)


# Records that allowed calls need, created before the matrix by the role that creates them (the generated
# operations name them: the source "matrix-sourceid", the provider PRV-MATRIX-0001, the seeded programmes).
SEED: list[tuple[str, Role]] = [
    ("mutation.seedProgrammes", Role.city_admin),
    ("mutation.createFundingSource", Role.city_admin),
    ("mutation.applyProvider", Role.provider),
]


@pytest.fixture(scope="module")
async def seeded(platform: Platform, tokens, registered: str) -> None:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:
        for key, role in SEED:
            status, body = await post(client, tokens(role, **SCOPES.get(role, {})), OPERATIONS[key])
            # A re-run finds them made (payload errors such as *_EXISTS); a refusal would be a bug.
            assert status == 200 and codes(body) == [], (key, body)


@pytest.fixture(scope="module")
async def matrix(platform: Platform, tokens, registered: str, seeded: None) -> dict[tuple[str, Role], Call]:
    """Every operation × every role, called concurrently (a few at a time) once per backend."""
    semaphore = asyncio.Semaphore(CONCURRENCY)
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:

        async def one(key: str, role: Role) -> Call:
            async with semaphore:
                status, body = await post(client, tokens(role, **SCOPES.get(role, {})), OPERATIONS[key])
            return Call(key, role, status, body)

        calls = await asyncio.gather(*(one(key, role) for key in OPERATIONS for role in Role))
    return {(call.key, call.role): call for call in calls}


def test_every_generated_operation_is_valid_against_the_schema() -> None:
    for key, text in OPERATIONS.items():
        assert validate(schema._schema, parse(text)) == [], (key, text)


def matrix_cases() -> list[Any]:
    cases = []
    for key in OPERATIONS:
        for role in Role:
            reason = KNOWN_FAILURES.get((key, role))
            marks = [pytest.mark.xfail(strict=True, reason=reason)] if reason else []
            cases.append(pytest.param(key, role, marks=marks, id=f"{key}-{role.value}"))
    return cases


@pytest.mark.parametrize(("key", "role"), matrix_cases())
def test_no_call_crashes_or_fails_upstream(
    matrix: dict[tuple[str, Role], Call], key: str, role: Role
) -> None:
    call = matrix[(key, role)]
    assert call.status == 200, (OPERATIONS[key], call.body)
    assert isinstance(call.body, dict) and ("data" in call.body or "errors" in call.body), call.body
    found = codes(call.body)
    assert None not in found, (OPERATIONS[key], call.body)
    assert not FORBIDDEN_CODES & set(found), (OPERATIONS[key], call.body)


# Hand-written expectations: (generated operation, role, scope overrides, the one exact code of the answer).
REFUSALS: list[tuple[str, Role, dict[str, str], str]] = [
    *[
        ("mutation.registerEnterprise", role, {}, "ROLE_NOT_ALLOWED")
        for role in (Role.enterprise, Role.expert, Role.evaluator, Role.provider, Role.auditor)
    ],
    ("mutation.registerEnterprise", Role.national_platform, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.registerEnterprise", Role.county_admin, {"county": OTHER_COUNTY}, "COUNTY_FORBIDDEN"),
    ("mutation.registerEnterprise", Role.county_system, {"county": OTHER_COUNTY}, "COUNTY_FORBIDDEN"),
    # Another county's (or another enterprise's) record answers exactly like a missing one.
    ("query.enterprise", Role.county_admin, {"county": OTHER_COUNTY}, "ENTERPRISE_NOT_FOUND"),
    ("query.enterprise", Role.enterprise, {"uscc": OTHER_USCC}, "ENTERPRISE_NOT_FOUND"),
    ("query.enterprises", Role.provider, {}, "ROLE_NOT_ALLOWED"),
    ("query.experts", Role.expert, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.createExpert", Role.county_admin, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.seedProgrammes", Role.county_admin, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.awardDesignation", Role.county_system, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.drawRevisits", Role.county_admin, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.loadIndexVersion", Role.evaluator, {}, "ROLE_NOT_ALLOWED"),
    ("query.programmeLevels", Role.enterprise, {}, "ROLE_NOT_ALLOWED"),
    ("query.acceptanceQueue", Role.provider, {}, "ROLE_NOT_ALLOWED"),
    ("query.fundingSources", Role.county_admin, {}, "ROLE_NOT_ALLOWED"),
    ("query.ledgerEntries", Role.enterprise, {}, "ROLE_NOT_ALLOWED"),
    ("query.fundsReport", Role.provider, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.approveClaim", Role.county_admin, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.createFundingSource", Role.auditor, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.createDisbursementBatch", Role.enterprise, {}, "ROLE_NOT_ALLOWED"),
    # Matching and assessment refuse with the common codes too (they had their own until issue 7).
    ("query.prospects", Role.provider, {"provider_id": "PRV-MATRIX-OTHER"}, "PROVIDER_FORBIDDEN"),
    ("query.activityStats", Role.enterprise, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.applyProvider", Role.enterprise, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.listProvider", Role.provider, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.reviewProvider", Role.city_admin, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.publishMatchingRule", Role.county_admin, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.createActivity", Role.enterprise, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.createAssessment", Role.city_admin, {}, "ROLE_NOT_ALLOWED"),
    # The role is checked before the idempotency key and before the record.
    ("mutation.allocateFunds", Role.county_admin, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.publishFundingPreset", Role.auditor, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.submitPlan", Role.enterprise, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.closeNeed", Role.provider, {}, "ROLE_NOT_ALLOWED"),
    ("mutation.registerForActivity", Role.expert, {}, "ROLE_NOT_ALLOWED"),
]


def refusal_cases() -> list[Any]:
    return [
        pytest.param(key, role, scope, code, id=f"{key}-{role.value}-{'-'.join(scope.values()) or 'own'}")
        for key, role, scope, code in REFUSALS
    ]


def all_codes(body: Any) -> list[str | None]:
    """Top-level error codes plus the codes of a mutation payload's typed errors."""
    found = codes(body)
    for value in (body.get("data") or {}).values() if isinstance(body, dict) else []:
        if isinstance(value, dict):
            found += [error.get("code") for error in value.get("errors") or []]
    return found


@pytest.mark.parametrize("key", ["query.enterprises", "query.claims", "mutation.registerEnterprise"])
async def test_without_a_token_nothing_runs(platform: Platform, key: str) -> None:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:
        response = await client.post("/graphql", json={"query": OPERATIONS[key]})
    assert response.status_code == 200, response.text
    assert codes(response.json()) == ["TOKEN_MISSING"], response.json()


@pytest.mark.parametrize(("key", "role", "scope", "code"), refusal_cases())
async def test_refused_with_the_exact_code(
    platform: Platform, tokens, registered: str, key: str, role: Role, scope: dict[str, str], code: str
) -> None:
    token = tokens(role, **{**SCOPES.get(role, {}), **scope})
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=30) as client:
        status, body = await post(client, token, OPERATIONS[key])
    assert status == 200, body
    assert all_codes(body) == [code], body


# --- The design table (gateway/access.py): allowed roles are not refused, every other role is. ---

REFUSAL_CODES = {"ROLE_NOT_ALLOWED", "COUNTY_FORBIDDEN", "PROVIDER_FORBIDDEN"}
# Refused roles that are not refused with a refusal code today (found by this matrix), by operation: the
# service looks the record up first and answers not-found, or refuses with a code of its own. Strict, so a
# fix turns the entry into a failure that asks for its removal.
NOT_REFUSED_TODAY: dict[str, tuple[frozenset[Role], str]] = {}


def test_every_operation_is_in_the_design_table() -> None:
    assert sorted(set(OPERATIONS) - set(ACCESS)) == [], "declare who may call it in gateway/access.py"
    assert sorted(set(ACCESS) - set(OPERATIONS)) == [], "gateway/access.py names an operation that is gone"


def design_cases(allowed: bool) -> list[Any]:
    cases = []
    for key in OPERATIONS:
        for role in Role:
            if (role in ACCESS.get(key, frozenset())) != allowed:
                continue
            marks = []
            known = NOT_REFUSED_TODAY.get(key)
            if not allowed and known and role in known[0]:
                marks = [pytest.mark.xfail(strict=True, reason=known[1])]
            cases.append(pytest.param(key, role, marks=marks, id=f"{key}-{role.value}"))
    return cases


@pytest.mark.parametrize(("key", "role"), design_cases(allowed=True))
def test_allowed_roles_are_not_refused(matrix: dict[tuple[str, Role], Call], key: str, role: Role) -> None:
    found = set(all_codes(matrix[(key, role)].body))
    assert not found & REFUSAL_CODES, (OPERATIONS[key], matrix[(key, role)].body)


@pytest.mark.parametrize(("key", "role"), design_cases(allowed=False))
def test_other_roles_are_refused(matrix: dict[tuple[str, Role], Call], key: str, role: Role) -> None:
    found = set(all_codes(matrix[(key, role)].body))
    assert found & REFUSAL_CODES, (OPERATIONS[key], matrix[(key, role)].body)
