"""County pushes larger than one of enrollment's chunks (2,000 records), through the gateway against the real
processes: errors in every chunk each reported, a record of another county in the last chunk refusing the
whole push with nothing written, NDJSON bodies and GBK CSV read as they stream in."""

import csv
import io
import json
import uuid
from typing import Any

import httpx
import pytest

from ops.local import Platform
from tests.test_county_api_e2e import (
    OTHER_COUNTY,
    api_key,
    dossier,
    push,
    record,
    table,
)

pytestmark = pytest.mark.e2e

COUNT = 4_500  # three chunks
BAD = (3, 2_500, 4_499)  # one in each chunk (1-based record numbers)


@pytest.fixture
async def gateway(platform: Platform) -> Any:
    async with httpx.AsyncClient(base_url=platform.url("gateway"), timeout=300) as client:
        yield client


def records() -> list[dict[str, Any]]:
    return [record(name="") if n in BAD else record() for n in range(1, COUNT + 1)]


class TestLargePushes:
    async def test_errors_in_every_chunk_are_reported(
        self, gateway: httpx.AsyncClient, platform: Platform, tokens: Any
    ) -> None:
        auth = api_key(platform)
        sent = records()
        result = (await push(gateway, auth, sent)).json()
        assert (result["outcome"], result["total"], result["created"], result["rejected"]) == (
            "applied",
            COUNT,
            COUNT - len(BAD),
            len(BAD),
        )
        assert [(e["row"], e["field"]) for e in result["errors"]] == [(row, "name") for row in BAD]
        for index in (0, 2_100, COUNT - 1):
            assert (await dossier(platform, tokens, sent[index]["uscc"])).json()["version"] == 1

    async def test_another_county_in_the_last_chunk_refuses_the_whole_push(
        self, gateway: httpx.AsyncClient, platform: Platform, tokens: Any
    ) -> None:
        auth = api_key(platform)
        sent = [*records(), record(OTHER_COUNTY)]
        key = "late-" + uuid.uuid4().hex
        response = await push(gateway, auth, sent, key=key)
        assert response.status_code == 403, response.text
        assert response.json()["code"] == "county_forbidden"
        assert [e["message"] for e in response.json()["errors"]] == [f"row {COUNT + 1}: not your county"]
        for index in (0, 2_100, COUNT - 1):
            assert (await dossier(platform, tokens, sent[index]["uscc"])).status_code == 404
        # The records of the first chunks were taken back: sent again without the stray one, all are new.
        again = (await push(gateway, auth, sent[:-1])).json()
        assert (again["created"], again["unchanged"]) == (COUNT - len(BAD), 0)

    async def test_ndjson_and_gbk_csv(self, gateway: httpx.AsyncClient, platform: Platform) -> None:
        auth = api_key(platform)
        lines = "\n".join(json.dumps(r, ensure_ascii=False) for r in records()).encode()
        result = (await push(gateway, auth, lines, "application/x-ndjson")).json()
        assert (result["total"], result["created"]) == (COUNT, COUNT - len(BAD))
        assert [e["row"] for e in result["errors"]] == list(BAD)
        buffer = io.StringIO()
        csv.writer(buffer).writerows(table(records()))
        result = (await push(gateway, auth, buffer.getvalue().encode("gbk"), "text/csv")).json()
        assert (result["total"], result["created"]) == (COUNT, COUNT - len(BAD))
        assert [e["row"] for e in result["errors"]] == [row + 1 for row in BAD]  # the header is row 1
