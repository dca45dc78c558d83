"""The formerly unbounded lists as keyset pages: a client paging with `endCursor` sees every record once, in
the service's order. In process, over fake services (httpx MockTransport)."""

from collections.abc import Callable
from typing import Any

import httpx
import pytest

from gateway.tests.test_sorting import FakeServices

AT = "2026-11-01T00:00:00+00:00"


def review(owner: str, owner_id: str) -> Callable[[int], dict[str, Any]]:
    return lambda i: {
        owner: owner_id,
        "expert": f"r{i}",
        "scores": {"cases": 80},
        "total_centi": 8000 - i,
        "sheet_version": 1,
        "comment": None,
        "reviewed_at": AT,
    }


def need(i: int) -> dict[str, Any]:
    return {
        "need_id": f"r{i}",
        "uscc": "U",
        "source": "enterprise",
        "scenario_code": f"S0{i}",
        "title": "t",
        "common_code": None,
        "from_level": None,
        "to_level": None,
        "assessment_id": None,
        "status": "open",
        "created_at": AT,
        "updated_at": AT,
    }


def prospect(i: int) -> dict[str, Any]:
    return {
        "uscc": f"r{i}",
        "name": "n",
        "county_code": "c",
        "industry_code": "i",
        "matched_scenarios": ["S05"],
        "solution_ids": [],
    }


def registration(i: int) -> dict[str, Any]:
    return {
        "id": i,
        "activity_id": "a1",
        "uscc": None,
        "provider_id": None,
        "person_name": f"r{i}",
        "trainee_role": None,
        "attended": False,
        "registered_at": AT,
    }


def expert(i: int) -> dict[str, Any]:
    return {"id": f"r{i}", "name": "n", "employer": "e", "employer_uscc": None, "fields": [], "links": []}


def below_target(i: int) -> dict[str, Any]:
    return {
        "uscc": f"r{i}",
        "name": "n",
        "county_code": "c",
        "industry_code": "i",
        "size_class": "above_scale",
        "level_before": None,
        "level_after": 1,
    }


def revisit_draw(i: int) -> dict[str, Any]:
    return {
        "id": f"r{i}",
        "label": "l",
        "seed": "s",
        "sample_size": 1,
        "batch_id": None,
        "county_code": None,
        "population": [],
        "drawn": [],
        "drawn_by": "city",
        "drawn_at": AT,
        "revisits": [],
        "reproducible": True,
    }


PAGES = [
    ("enterprisesBelowTargetPage", "targetLevel: 3", "/programme/below-target", below_target, "uscc"),
    ("revisitDrawsPage", "orderBy: OLDEST", "/revisit-draws", revisit_draw, "id"),
    ("expertsPage", "orderBy: ID", "/experts", expert, "id"),
    (
        "activityRegistrationsPage",
        'activityId: "a1"',
        "/activities/a1/registrations/page",
        registration,
        "personName",
    ),
    ("prospectsPage", 'providerId: "p1"', "/providers/p1/prospects/page", prospect, "uscc"),
    (
        "providerReviewsPage",
        'providerId: "p1"',
        "/providers/p1/reviews/page",
        review("provider_id", "p1"),
        "expert",
    ),
    (
        "solutionReviewsPage",
        'solutionId: "s1"',
        "/solutions/s1/reviews/page",
        review("solution_id", "s1"),
        "expert",
    ),
    ("needsPage", 'uscc: "U"', "/enterprises/U/needs/page", need, "needId"),
]


class TestPagesPageThrough:
    @pytest.mark.parametrize(("field", "argument", "path", "row", "key"), PAGES)
    async def test_every_record_once_in_order(
        self, field: str, argument: str, path: str, row: Callable[[int], dict[str, Any]], key: str
    ) -> None:
        rows = [row(i) for i in range(5)]

        def keyset(request: httpx.Request) -> httpx.Response:
            assert request.url.path == path
            start = int(request.url.params.get("cursor", "0"))
            limit = int(request.url.params["limit"])
            more = start + limit < len(rows)
            body = {
                "items": rows[start : start + limit],
                "total": len(rows),
                "next_cursor": str(start + limit) if more else None,
            }
            return httpx.Response(200, json=body)

        services = FakeServices(keyset)
        seen: list[str] = []
        after = ""
        while True:
            query = (
                f"{{ {field}({argument}, first: 2{after}) "
                f"{{ total edges {{ node {{ {key} }} }} pageInfo {{ endCursor hasNextPage }} }} }}"
            )
            result = await services.run(query)
            assert result.errors is None, result.errors
            page = result.data[field]
            assert page["total"] == 5
            seen += [e["node"][key] for e in page["edges"]]
            if not page["pageInfo"]["hasNextPage"]:
                break
            after = f', after: "{page["pageInfo"]["endCursor"]}"'
        assert seen == [f"r{i}" for i in range(5)]
