"""The per-request DataLoaders: keys loaded together cost one upstream call (per 500 keys); one-to-many
links are grouped by key. In process, over a fake service client."""

import asyncio
from typing import Any

from gateway.loaders import MAX_KEYS_PER_CALL, batch_list_loader, batch_loader


class FakeClient:
    def __init__(self, items: list[dict[str, Any]]) -> None:
        self.items = items
        self.calls: list[tuple[str, dict[str, Any]]] = []

    async def get(self, path: str, token: str | None, params: dict[str, Any]) -> dict[str, Any]:
        self.calls.append((path, params))
        (key, wanted), *_ = params.items()
        return {"items": [i for i in self.items if i[key] in wanted]}


async def test_one_item_per_key_in_one_call() -> None:
    client = FakeClient([{"uscc": "A", "n": 1}, {"uscc": "B", "n": 2}])
    loader = batch_loader(client, "/enterprises", "token")  # type: ignore[arg-type]
    found = await asyncio.gather(*(loader.load(k) for k in ("A", "B", "C", "A")))
    assert [f and f["n"] for f in found] == [1, 2, None, 1]
    assert client.calls == [("/enterprises", {"uscc": ["A", "B", "C"]})]


async def test_many_items_per_key_grouped_in_one_call() -> None:
    client = FakeClient(
        [
            {"provider_id": "p1", "id": "x"},
            {"provider_id": "p2", "id": "y"},
            {"provider_id": "p1", "id": "z"},
        ]
    )
    loader = batch_list_loader(client, "/solutions/by-provider", "token", "provider_id", "provider_id")  # type: ignore[arg-type]
    found = await asyncio.gather(*(loader.load(k) for k in ("p1", "p2", "p3")))
    assert [[i["id"] for i in items] for items in found] == [["x", "z"], ["y"], []]
    assert len(client.calls) == 1


async def test_a_large_page_is_split_into_chunks() -> None:
    client = FakeClient([])
    loader = batch_list_loader(client, "/needs/by-enterprise", None)  # type: ignore[arg-type]
    keys = [f"K{i}" for i in range(MAX_KEYS_PER_CALL + 1)]
    assert await asyncio.gather(*(loader.load(k) for k in keys)) == [[]] * len(keys)
    assert [len(params["uscc"]) for _, params in client.calls] == [MAX_KEYS_PER_CALL, 1]
