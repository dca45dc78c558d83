"""Checks in front of GraphQL execution: persisted queries and the safelist, batching, fragment fan-out,
and a per-principal rate limit. They run before Strawberry validates anything, so refusals cost little."""

import hashlib
import json
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    GraphQLError,
    InlineFragmentNode,
    OperationDefinitionNode,
    SelectionSetNode,
    parse,
)
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
        except (ValueError, RecursionError):  # RecursionError: JSON nested thousands deep
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
        if (
            isinstance(query, str)
            and expanded_fields(query, self.settings.gateway_max_tokens) > MAX_EXPANDED_FIELDS
        ):
            return body, graphql_error(
                400, "QUERY_TOO_COMPLEX", f"The query expands to more than {MAX_EXPANDED_FIELDS} fields"
            )
        return body, None


# Fields a query may expand to once its fragments are spread: fragments that spread each other twice
# over ("billion laughs") stay small as text but would make validation and execution exponential.
MAX_EXPANDED_FIELDS = 10_000


def expanded_fields(query: str, max_tokens: int) -> int:
    """How many fields the operations select with every fragment spread expanded (0 if it does not parse:
    Strawberry reports that). Fragment sizes are memoised, so this is linear in the document."""
    try:
        document = parse(query, max_tokens=max_tokens, no_location=True)
    except GraphQLError:
        return 0
    fragments = {d.name.value: d for d in document.definitions if isinstance(d, FragmentDefinitionNode)}
    sizes: dict[str, int] = {}
    visiting: set[str] = set()

    def size(selection_set: SelectionSetNode | None) -> int:
        total = 0
        for selection in selection_set.selections if selection_set else ():
            if isinstance(selection, FieldNode):
                total += 1 + size(selection.selection_set)
            elif isinstance(selection, InlineFragmentNode):
                total += size(selection.selection_set)
            elif isinstance(selection, FragmentSpreadNode):
                total += fragment(selection.name.value)
            if total > MAX_EXPANDED_FIELDS:
                break
        return total

    def fragment(name: str) -> int:
        if name not in sizes:
            if name in visiting or name not in fragments:
                return 0  # a cycle or an unknown fragment: validation refuses it
            visiting.add(name)
            sizes[name] = size(fragments[name].selection_set)
            visiting.discard(name)
        return sizes[name]

    return sum(size(d.selection_set) for d in document.definitions if isinstance(d, OperationDefinitionNode))


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
