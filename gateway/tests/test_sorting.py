"""Sorting and the paginated replacements of unbounded lists: every Relay list takes an `orderBy` that reaches
the owning service as `order`, a cursor refused by the service surfaces as CURSOR_INVALID, and
`reviewApplication` forwards the step it decides. In process, over fake services (httpx MockTransport)."""

from collections.abc import Callable
from types import SimpleNamespace
from typing import Any

import httpx
import pytest
from graphql import GraphQLEnumType, get_named_type

from gateway.clients import ServiceClient
from gateway.schema import schema

QUERY = schema._schema.query_type
CONNECTIONS = sorted(
    name
    for name, field in (QUERY.fields.items() if QUERY else [])
    if "edges" in getattr(get_named_type(field.type), "fields", {})
)
EMPTY_PAGE = {"items": [], "total": 0, "next_cursor": None}


class FakeServices:
    """Every service answers through `handler`; the requests are kept for the assertions."""

    def __init__(self, handler: Callable[[httpx.Request], httpx.Response]) -> None:
        self.requests: list[httpx.Request] = []

        def record(request: httpx.Request) -> httpx.Response:
            self.requests.append(request)
            return handler(request)

        clients = {}
        for name in ("enrollment", "assessment", "funding", "matching"):
            client = ServiceClient(name, "http://svc", 5)
            client.http = httpx.AsyncClient(base_url="http://svc", transport=httpx.MockTransport(record))
            clients[name] = client
        self.context = SimpleNamespace(
            clients=SimpleNamespace(**clients),
            token="token",
            settings=SimpleNamespace(gateway_max_page_size=100),
        )

    async def run(self, query: str) -> Any:
        return await schema.execute(query, context_value=self.context)


def problem(status: int, code: str) -> httpx.Response:
    body = {"type": f"about:blank#{code}", "title": "t", "status": status, "code": code, "detail": code}
    return httpx.Response(status, json=body, headers={"content-type": "application/problem+json"})


class TestEveryConnectionSorts:
    def test_the_lists_the_screens_use_are_all_connections(self) -> None:
        assert set(CONNECTIONS) >= {
            "enterprises",
            "applications",
            "assessments",
            "providers",
            "solutions",
            "engagements",
            "activities",
            "ledgerEntries",
            "claims",
            "paymentsPage",
            "disbursementBatchesPage",
            "providerRatingsPage",
            "solutionRatingsPage",
            "recoveriesPage",
            "providerReviewsPage",
            "solutionReviewsPage",
            "needsPage",
            "prospectsPage",
            "activityRegistrationsPage",
            "expertsPage",
            "enterprisesBelowTargetPage",
            "revisitDrawsPage",
        }

    @pytest.mark.parametrize("name", CONNECTIONS)
    def test_order_by_is_a_described_enum_with_a_default(self, name: str) -> None:
        argument = QUERY.fields[name].args.get("orderBy")  # type: ignore[union-attr]
        assert argument is not None, f"{name} has no orderBy"
        enum = get_named_type(argument.type)
        assert isinstance(enum, GraphQLEnumType) and argument.default_value is not None
        assert enum.description and all(v.description for v in enum.values.values())


class TestOrderReachesTheService:
    @pytest.mark.parametrize(
        ("field", "arguments", "path", "order"),
        [
            ("enterprises", "orderBy: REGISTERED_NEWEST", "/enterprises", "registered_newest"),
            ("enterprises", "", "/enterprises", "uscc"),
            ("applications", "orderBy: SUBMITTED_OLDEST", "/applications", "submitted_oldest"),
            ("assessments", "orderBy: LEVEL_HIGHEST", "/assessments", "level_highest"),
            ("assessments", "", "/assessments", "newest"),
            ("claims", "orderBy: CLAIMED_HIGHEST", "/claims", "claimed_highest"),
            ("ledgerEntries", "orderBy: NEWEST", "/ledger/entries", "newest"),
            ("paymentsPage", "orderBy: AMOUNT_HIGHEST", "/payments", "amount_highest"),
            ("disbursementBatchesPage", "", "/disbursement-batches", "newest"),
            ("providers", "orderBy: RATING_HIGHEST", "/providers", "rating_highest"),
            ("solutions", "orderBy: PRICE_LOWEST", "/solutions", "price_lowest"),
            ("engagements", "orderBy: CREATED_NEWEST", "/engagements", "created_newest"),
            ("activities", "orderBy: STARTS_SOONEST", "/activities", "starts_soonest"),
            ("providerRatingsPage", 'providerId: "p1"', "/providers/p1/ratings/page", "period_newest"),
            ("recoveriesPage", "orderBy: AMOUNT_HIGHEST", "/recoveries", "amount_highest"),
            ("prospectsPage", 'providerId: "p1"', "/providers/p1/prospects/page", "matched_most"),
            ("expertsPage", "orderBy: ADDED_NEWEST", "/experts", "added_newest"),
            (
                "enterprisesBelowTargetPage",
                "orderBy: LEVEL_LOWEST",
                "/programme/below-target",
                "level_lowest",
            ),
            ("revisitDrawsPage", "", "/revisit-draws", "newest"),
            (
                "activityRegistrationsPage",
                'activityId: "a1", orderBy: SIGNED_NEWEST',
                "/activities/a1/registrations/page",
                "signed_newest",
            ),
            (
                "needsPage",
                'uscc: "U", orderBy: CREATED_NEWEST',
                "/enterprises/U/needs/page",
                "created_newest",
            ),
            ("providerReviewsPage", 'providerId: "p1"', "/providers/p1/reviews/page", "filed_oldest"),
            (
                "solutionReviewsPage",
                'solutionId: "s1", orderBy: TOTAL_HIGHEST',
                "/solutions/s1/reviews/page",
                "total_highest",
            ),
            (
                "solutionRatingsPage",
                'solutionId: "s1", orderBy: SCORE_LOWEST',
                "/solutions/s1/ratings/page",
                "score_lowest",
            ),
        ],
    )
    async def test_order_and_page_size_are_forwarded(
        self, field: str, arguments: str, path: str, order: str
    ) -> None:
        services = FakeServices(lambda _: httpx.Response(200, json=EMPTY_PAGE))
        args = ", ".join(a for a in (arguments, "first: 3") if a)
        result = await services.run(f"{{ {field}({args}) {{ total pageInfo {{ hasNextPage }} }} }}")
        assert result.errors is None, result.errors
        (request,) = services.requests
        assert request.url.path == path
        assert request.url.params["order"] == order and request.url.params["limit"] == "3"

    async def test_a_cursor_the_service_refuses_is_cursor_invalid(self) -> None:
        services = FakeServices(lambda _: problem(422, "invalid_cursor"))
        result = await services.run('{ paymentsPage(after: "abc", orderBy: QUEUED_NEWEST) { total } }')
        assert result.errors and result.errors[0].original_error.code == "CURSOR_INVALID"  # type: ignore[union-attr]


class TestPaginatedReplacements:
    @pytest.mark.parametrize(
        ("old", "new"),
        [
            ("payments", "paymentsPage"),
            ("disbursementBatches", "disbursementBatchesPage"),
            ("providerRatings", "providerRatingsPage"),
            ("solutionRatings", "solutionRatingsPage"),
            ("recoveries", "recoveriesPage"),
            ("providerReviews", "providerReviewsPage"),
            ("solutionReviews", "solutionReviewsPage"),
            ("needs", "needsPage"),
            ("prospects", "prospectsPage"),
            ("activityRegistrations", "activityRegistrationsPage"),
            ("experts", "expertsPage"),
            ("enterprisesBelowTarget", "enterprisesBelowTargetPage"),
            ("revisitDraws", "revisitDrawsPage"),
        ],
    )
    def test_the_plain_list_is_deprecated_in_favour_of_the_connection(self, old: str, new: str) -> None:
        reason = QUERY.fields[old].deprecation_reason  # type: ignore[union-attr]
        assert reason and new in reason
        assert new in CONNECTIONS

    async def test_pages_follow_the_service_cursor(self) -> None:
        payments = [
            {
                "payment_id": f"pay{i}",
                "claim_id": "c1",
                "uscc": "U",
                "source_id": "s",
                "amount_fen": 100 - i,
                "status": "queued",
                "queued_at": "2026-01-01T00:00:00+00:00",
            }
            for i in range(3)
        ]

        def keyset(request: httpx.Request) -> httpx.Response:
            start = int(request.url.params.get("cursor", "0"))
            limit = int(request.url.params["limit"])
            page = payments[start : start + limit]
            more = start + limit < len(payments)
            return httpx.Response(
                200, json={"items": page, "total": 3, "next_cursor": str(start + limit) if more else None}
            )

        services = FakeServices(keyset)
        query = (
            "{ paymentsPage(first: 2%s) "
            "{ total edges { node { paymentId } } pageInfo { endCursor hasNextPage } } }"
        )
        first = (await services.run(query % "")).data["paymentsPage"]
        assert [e["node"]["paymentId"] for e in first["edges"]] == ["pay0", "pay1"]
        assert first["total"] == 3 and first["pageInfo"]["hasNextPage"]
        after = first["pageInfo"]["endCursor"]
        rest = (await services.run(query % f', after: "{after}"')).data["paymentsPage"]
        assert [e["node"]["paymentId"] for e in rest["edges"]] == ["pay2"]
        assert not rest["pageInfo"]["hasNextPage"]


class TestReviewStep:
    MUTATION = (
        'mutation { reviewApplication(applicationId: "a1", decision: APPROVED%s) '
        "{ application { id } errors { field code message } } }"
    )

    async def test_the_step_is_forwarded(self) -> None:
        services = FakeServices(lambda _: problem(409, "concurrent_update"))
        result = await services.run(self.MUTATION % ', step: "county_review"')
        assert result.errors is None, result.errors
        (request,) = services.requests
        assert request.url.path == "/applications/a1/reviews"
        assert b'"step":"county_review"' in request.content.replace(b" ", b"")
        errors = result.data["reviewApplication"]["errors"]
        assert [e["code"] for e in errors] == ["CONCURRENT_UPDATE"]

    async def test_a_step_already_decided_is_a_typed_error_on_step(self) -> None:
        services = FakeServices(lambda _: problem(409, "step_already_decided"))
        result = await services.run(self.MUTATION % ', step: "county_review"')
        payload = result.data["reviewApplication"]
        assert payload["application"] is None
        assert [(e["field"], e["code"]) for e in payload["errors"]] == [("step", "STEP_ALREADY_DECIDED")]

    async def test_without_a_step_none_is_sent(self) -> None:
        services = FakeServices(lambda _: problem(409, "concurrent_update"))
        await services.run(self.MUTATION % "")
        assert b"step" not in services.requests[0].content
