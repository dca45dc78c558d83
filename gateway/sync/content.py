"""Report payloads and their fingerprints, as docs/national-api.md ("Push") defines them."""

import hashlib
import json
from typing import Any

SCHEMA_VERSION = "v1"


def canonical_json(value: Any) -> bytes:
    """Sorted keys, no insignificant whitespace, UTF-8: both sides hash the same bytes."""
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def records_sha256(records: list[dict[str, Any]]) -> str:
    return hashlib.sha256(canonical_json(records)).hexdigest()


def build_payload(
    kind: str,
    period: str,
    revision: int,
    city: str,
    records: list[dict[str, Any]],
    summary: dict[str, Any],
    supersedes: str | None = None,
) -> dict[str, Any]:
    return {
        "schema": f"shuzhuan.national.{kind}/{SCHEMA_VERSION}",
        "kind": kind,
        "period": period,
        "revision": revision,
        "city": city,
        "supersedes": supersedes,
        "summary": summary,
        "record_count": len(records),
        "records_sha256": records_sha256(records),
        "records": records,
    }


def content_sha256(records: list[dict[str, Any]], summary: dict[str, Any]) -> str:
    """What makes two generations the same report (revision and generation time excluded)."""
    return hashlib.sha256(canonical_json({"records": records, "summary": summary})).hexdigest()


def idempotency_key(city: str, kind: str, period: str, revision: int) -> str:
    return f"sz-{city or 'city'}-{kind}-{period}-r{revision}"
