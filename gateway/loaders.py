"""Per-request DataLoaders over the services' batch endpoints, so that a page of N items costs a
constant number of upstream calls instead of one per item."""

from collections.abc import Sequence
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.clients import ServiceClient

MAX_KEYS_PER_CALL = 500


def batch_loader(
    client: ServiceClient, path: str, token: str | None, key_param: str = "uscc", key_field: str = "uscc"
) -> DataLoader[str, dict[str, Any] | None]:
    """Loads items by key from `GET path?key=a&key=b...` answering `{"items": [...]}`; keys the caller may
    not see, or that do not exist, load as None."""

    async def load(keys: Sequence[str]) -> list[dict[str, Any] | None]:
        found: dict[str, dict[str, Any]] = {}
        for start in range(0, len(keys), MAX_KEYS_PER_CALL):
            chunk = list(dict.fromkeys(keys[start : start + MAX_KEYS_PER_CALL]))
            data = await client.get(path, token, params={key_param: chunk})
            found.update({str(item[key_field]): item for item in data["items"]})
        return [found.get(key) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=MAX_KEYS_PER_CALL)


def batch_list_loader(
    client: ServiceClient, path: str, token: str | None, key_param: str = "uscc", key_field: str = "uscc"
) -> DataLoader[str, list[dict[str, Any]]]:
    """Like `batch_loader` for one-to-many links: loads every item of each key from `GET path?key=a&key=b...`
    answering `{"items": [...]}` and groups them by `key_field` (service order kept); keys the caller may
    not see, or that have no items, load as an empty list."""

    async def load(keys: Sequence[str]) -> list[list[dict[str, Any]]]:
        found: dict[str, list[dict[str, Any]]] = {}
        for start in range(0, len(keys), MAX_KEYS_PER_CALL):
            chunk = list(dict.fromkeys(keys[start : start + MAX_KEYS_PER_CALL]))
            data = await client.get(path, token, params={key_param: chunk})
            for item in data["items"]:
                found.setdefault(str(item[key_field]), []).append(item)
        return [found.get(key, []) for key in keys]

    return DataLoader(load_fn=load, max_batch_size=MAX_KEYS_PER_CALL)
