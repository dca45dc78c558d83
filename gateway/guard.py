"""Checks in front of GraphQL execution: persisted queries and the safelist, batching, and a
per-principal rate limit. They run before Strawberry parses anything, so refused requests cost little."""

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from szcore.auth import InvalidToken, verify_token
from szcore.settings import Settings

OPERATIONS_DIR = Path(__file__).parent / "examples"


def sha256(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


class OperationRegistry:
    """Registered operations by the SHA-256 of their exact text (one operation per .graphql file)."""

    def __init__(self, directory: Path) -> None:
        self.by_hash: dict[str, str] = {}
        self.names: dict[str, str] = {}
        for path in sorted(directory.rglob("*.graphql")) if directory.exists() else []:
            text = path.read_text(encoding="utf-8")
            digest = sha256(text)
            self.by_hash[digest] = text
            self.names[digest] = path.stem

    def __contains__(self, digest: str) -> bool:
        return digest in self.by_hash


@dataclass
class Bucket:
    tokens: float
    updated: float


class RateLimiter:
    """Token bucket per principal: `per_minute` requests a minute, bursts up to the same number."""

    def __init__(self, per_minute: int, max_keys: int = 100_000) -> None:
        self.rate = per_minute / 60.0
        self.capacity = float(per_minute)
        self.max_keys = max_keys
        self.buckets: dict[str, Bucket] = {}

    def allow(self, key: str, now: float | None = None) -> tuple[bool, float]:
        now = time.monotonic() if now is None else now
        bucket = self.buckets.get(key)
        if bucket is None:
            if len(self.buckets) >= self.max_keys:
                self.buckets.clear()
            bucket = self.buckets[key] = Bucket(self.capacity, now)
        bucket.tokens = min(self.capacity, bucket.tokens + (now - bucket.updated) * self.rate)
        bucket.updated = now
        if bucket.tokens >= 1:
            bucket.tokens -= 1
            return True, 0.0
        return False, (1 - bucket.tokens) / self.rate


def graphql_error(
    status: int, code: str, message: str, headers: dict[str, str] | None = None
) -> dict[str, Any]:
    return {
        "status": status,
        "body": {"data": None, "errors": [{"message": message, "extensions": {"code": code}}]},
        "headers": headers or {},
    }


class GraphQLGuard:
    def __init__(self, app: ASGIApp, settings: Settings, path: str = "/graphql") -> None:
        self.app = app
        self.settings = settings
        self.path = path
        self.mode = settings.gateway_persisted_queries
        self.registry = OperationRegistry(settings.gateway_operations_dir or OPERATIONS_DIR)
        self.limiter = RateLimiter(settings.gateway_rate_limit_per_minute)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].rstrip("/") != self.path or scope["method"] != "POST":
            await self.app(scope, receive, send)
            return
        refusal = self.rate_limit(scope)
        body = b""
        if refusal is None:
            body = await read_body(receive)
            body, refusal = self.check(body)
        if refusal is not None:
            await respond(send, refusal)
            return
        replayed = False

        async def replay() -> Message:
            nonlocal replayed
            if replayed:
                return await receive()
            replayed = True
            return {"type": "http.request", "body": body, "more_body": False}

        await self.app(scope, replay, send)

    def rate_limit(self, scope: Scope) -> dict[str, Any] | None:
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        scheme, _, token = headers.get("authorization", "").partition(" ")
        key = f"ip:{(scope.get('client') or ('?', 0))[0]}"
        if scheme.lower() == "bearer" and token:
            try:
                key = f"sub:{verify_token(token.strip(), self.settings).subject}"
            except InvalidToken:
                pass
        allowed, retry_after = self.limiter.allow(key)
        if allowed:
            return None
        return graphql_error(
            429, "RATE_LIMITED", "Too many requests", {"Retry-After": str(max(1, round(retry_after)))}
        )

    def check(self, body: bytes) -> tuple[bytes, dict[str, Any] | None]:
        try:
            data = json.loads(body or b"{}")
        except ValueError:
            return body, graphql_error(400, "BAD_REQUEST", "The body is not JSON")
        if isinstance(data, list):
            return body, graphql_error(400, "BATCHING_NOT_ALLOWED", "Send one operation per request")
        if not isinstance(data, dict):
            return body, graphql_error(400, "BAD_REQUEST", "The body must be a JSON object")
        extensions = data.get("extensions") if isinstance(data.get("extensions"), dict) else {}
        persisted = (
            extensions.get("persistedQuery") if isinstance(extensions.get("persistedQuery"), dict) else None
        )
        query = data.get("query")
        if persisted is not None and self.mode != "off":
            digest = str(persisted.get("sha256Hash", ""))
            if digest not in self.registry:
                return body, graphql_error(
                    400, "PERSISTED_QUERY_NOT_FOUND", "No operation is registered with this hash"
                )
            if query is not None and sha256(str(query)) != digest:
                return body, graphql_error(
                    400, "PERSISTED_QUERY_HASH_MISMATCH", "The query does not match its hash"
                )
            data["query"] = self.registry.by_hash[digest]
            return json.dumps(data).encode(), None
        if self.mode == "safelist":
            if not isinstance(query, str) or sha256(query) not in self.registry:
                return body, graphql_error(
                    400, "OPERATION_NOT_REGISTERED", "Only registered operations may run on this gateway"
                )
        return body, None


async def read_body(receive: Receive) -> bytes:
    chunks = []
    while True:
        message = await receive()
        chunks.append(message.get("body", b""))
        if not message.get("more_body"):
            return b"".join(chunks)


async def respond(send: Send, refusal: dict[str, Any]) -> None:
    payload = json.dumps(refusal["body"]).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(payload)).encode())]
    headers += [(k.lower().encode(), v.encode()) for k, v in refusal["headers"].items()]
    await send({"type": "http.response.start", "status": refusal["status"], "headers": headers})
    await send({"type": "http.response.body", "body": payload})
