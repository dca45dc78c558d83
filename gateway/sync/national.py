"""The HTTP client for the national platform's receiving side, and how its answers are read (pure)."""

from dataclasses import dataclass, field
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any

import httpx

from gateway.sync.reconcile import Holding
from szcore.settings import Settings
from szcore.types import utcnow

# The national side judged the report itself: sending it again cannot help, an official must fix it.
REJECTING_STATUSES = {400, 409, 413, 422}


class Verdict(StrEnum):
    delivered = "delivered"
    rejected = "rejected"
    retry = "retry"


@dataclass
class PushResult:
    verdict: Verdict
    receipt: str | None = None
    error: dict[str, Any] = field(default_factory=dict)
    retry_after: float | None = None


def _body(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {"text": response.text[:2000]}
    return body if isinstance(body, dict) else {"body": body}


def retry_after(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        return max(0.0, (parsedate_to_datetime(value) - utcnow()).total_seconds())
    except (TypeError, ValueError):
        return None


def classify(status: int, body: dict[str, Any], retry_after_header: str | None = None) -> PushResult:
    if 200 <= status < 300:
        return PushResult(Verdict.delivered, receipt=str(body["receipt"]) if body.get("receipt") else None)
    if status == 409 and body.get("receipt"):
        # A duplicate of a report the national side already holds: delivered, under the first receipt.
        return PushResult(Verdict.delivered, receipt=str(body["receipt"]))
    error = {
        "status": status,
        "code": str(body.get("code") or body.get("title") or f"HTTP_{status}"),
        "detail": str(body.get("detail") or body.get("text") or ""),
        "errors": body.get("errors") or [],
    }
    if status in REJECTING_STATUSES:
        return PushResult(Verdict.rejected, error=error)
    return PushResult(Verdict.retry, error=error, retry_after=retry_after(retry_after_header))


class NationalClient:
    def __init__(self, settings: Settings, http: httpx.AsyncClient | None = None) -> None:
        self.settings = settings
        self.base_url = settings.national_push_url.rstrip("/")
        self.http = http or httpx.AsyncClient(timeout=settings.national_push_timeout_seconds)

    @property
    def enabled(self) -> bool:
        return bool(self.base_url)

    def _headers(self) -> dict[str, str]:
        # Read on every request: a rotated secret file is picked up without a restart.
        path = self.settings.national_push_token_file
        if path is not None and path.exists():
            return {"authorization": f"Bearer {path.read_text().strip()}"}
        return {}

    async def push(self, idempotency_key: str, payload: dict[str, Any]) -> PushResult:
        try:
            response = await self.http.post(
                f"{self.base_url}/v1/reports",
                json=payload,
                headers={**self._headers(), "idempotency-key": idempotency_key},
                timeout=self.settings.national_push_timeout_seconds,
            )
        except httpx.TimeoutException:
            return PushResult(Verdict.retry, error={"code": "TIMEOUT", "detail": "No answer in time"})
        except httpx.HTTPError as exc:
            return PushResult(
                Verdict.retry, error={"code": "UNREACHABLE", "detail": f"{type(exc).__name__}: {exc}"[:500]}
            )
        return classify(response.status_code, _body(response), response.headers.get("retry-after"))

    async def holdings(self, period: str | None) -> list[Holding]:
        params = {"period": period} if period is not None else {}
        response = await self.http.get(
            f"{self.base_url}/v1/reconciliation",
            params=params,
            headers=self._headers(),
            timeout=self.settings.national_push_timeout_seconds,
        )
        response.raise_for_status()
        return [
            Holding(
                kind=str(item["kind"]),
                period=str(item["period"]),
                revision=int(item["revision"]),
                count=int(item["count"]),
                sha256=str(item["sha256"]),
            )
            for item in response.json()["items"]
        ]

    async def close(self) -> None:
        await self.http.aclose()
