"""The merged change feed: each service numbers its own changes; the gateway's cursor is the vector of
the last sequence taken from each, so restarting from any cursor resumes every service exactly there."""

import asyncio
import base64
import binascii
import json
import math
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from szcore.errors import FieldError, bad_request

CURSOR_VERSION = 1
# Which service owns each entity type (the order is the order services fill a page in).
ENTITY_TYPES: dict[str, str] = {
    "programme": "enrollment",
    "enterprise": "enrollment",
    "application": "enrollment",
    "assessment": "assessment",
    "claim": "funding",
    "payment": "funding",
    "provider": "matching",
    "solution": "matching",
    "project": "matching",
}
FEED_SERVICES = ("enrollment", "assessment", "funding", "matching")
# Rounds of upstream calls per page: later rounds fill what services with little to say left over.
MAX_ROUNDS = 3


def encode_cursor(positions: dict[str, int]) -> str:
    data = {"v": CURSOR_VERSION, "p": {s: positions.get(s, 0) for s in FEED_SERVICES}}
    return base64.urlsafe_b64encode(json.dumps(data, separators=(",", ":")).encode()).rstrip(b"=").decode()


def invalid_cursor(detail: str) -> Exception:
    return bad_request(
        "invalid_cursor", detail, [FieldError("after", "invalid", "A cursor this API returned")]
    )


def decode_cursor(cursor: str | None) -> dict[str, int]:
    if not cursor:
        return dict.fromkeys(FEED_SERVICES, 0)
    try:
        data = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, binascii.Error) as exc:
        raise invalid_cursor("The cursor is not one this API returned") from exc
    if not isinstance(data, dict) or data.get("v") != CURSOR_VERSION or not isinstance(data.get("p"), dict):
        raise invalid_cursor("The cursor is not one this API returned (or of another version)")
    positions = {s: data["p"].get(s, 0) for s in FEED_SERVICES}
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 0 for v in positions.values()):
        raise invalid_cursor("The cursor holds an invalid position")
    return positions


def parse_types(types: str | None) -> list[str] | None:
    if not types:
        return None
    wanted = sorted({t.strip() for t in types.split(",") if t.strip()})
    unknown = [t for t in wanted if t not in ENTITY_TYPES]
    if unknown:
        raise bad_request(
            "unknown_entity_type",
            f"Unknown entity types: {', '.join(unknown)}",
            [FieldError("types", "unknown", f"One of {', '.join(ENTITY_TYPES)}")],
        )
    return wanted or None


@dataclass
class Answer:
    """A service's page: items (opaque to the merge: the gateway keeps their bytes), their sequences."""

    items: list[Any]
    seqs: list[int]
    has_more: bool


@dataclass
class Page:
    items: list[Any] = field(default_factory=list)
    positions: dict[str, int] = field(default_factory=dict)
    has_more: bool = False


# (service, after, limit, types) -> the service's answer.
Fetch = Callable[[str, int, int, Sequence[str] | None], Awaitable[Answer]]


async def collect(fetch: Fetch, positions: dict[str, int], limit: int, types: Sequence[str] | None) -> Page:
    """Up to `limit` items: each round splits what is left among the services that have more, and takes
    each service's items in its own sequence order, so the new position of each is the last one taken."""
    services = [s for s in FEED_SERVICES if types is None or any(ENTITY_TYPES[t] == s for t in types)]
    page = Page(positions=dict(positions))
    more = dict.fromkeys(services, True)
    for _ in range(MAX_ROUNDS):
        active = [s for s in services if more[s]]
        remaining = limit - len(page.items)
        if not active or remaining <= 0:
            break
        share = math.ceil(remaining / len(active))
        service_types = {s: [t for t in types if ENTITY_TYPES[t] == s] if types else None for s in active}
        answers = await asyncio.gather(
            *(fetch(s, page.positions[s], share, service_types[s]) for s in active)
        )
        for service, answer in zip(active, answers, strict=True):
            taken = answer.items[: limit - len(page.items)]
            page.items.extend(taken)
            if taken:
                page.positions[service] = answer.seqs[len(taken) - 1]
            more[service] = answer.has_more or len(taken) < len(answer.items)
    page.has_more = any(more.values())
    return page
