"""/national/v1: the REST API the national platform pulls the city's data from (docs/national-api.md).
A sub-application of the gateway with its own OpenAPI document at /national/v1/openapi.json."""

import json
from typing import Annotated, Any

from fastapi import Depends, FastAPI, Query, Request, Response
from pydantic import BaseModel, Field
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from gateway.clients import Clients
from gateway.errors import GatewayError
from gateway.guard import RateLimiter
from gateway.national.feed import ENTITY_TYPES, Answer, collect, decode_cursor, encode_cursor, parse_types
from gateway.national.signing import SIGNATURE_HEADER, Signer, load_signer
from gateway.performance import service as performance
from szcore.auth import InvalidToken, Principal, Role, bearer_token, verify_token
from szcore.changefeed import NDJSON
from szcore.errors import PROBLEM_RESPONSES, ProblemError, forbidden, install_error_handlers, unauthorized
from szcore.settings import Settings
from szcore.types import utcnow

VERSION = "1.0.0"
MAX_LIMIT = 5000
ALLOWED_ROLES = (Role.national_platform,)


class ChangeItem(BaseModel):
    seq: int = Field(description="The owning service's change sequence of this entity (increasing)")
    entity_type: str = Field(description=f"One of {', '.join(ENTITY_TYPES)}")
    entity_id: str
    deleted: bool = Field(description="True when the entity no longer exists (data is null)")
    data: dict[str, Any] | None = Field(
        description="The entity's current snapshot (fields per type in the docs)"
    )


class ChangePage(BaseModel):
    after: str = Field(description="The cursor this page was asked for (the start cursor for the first page)")
    items: list[ChangeItem]
    next_cursor: str = Field(
        description="Pass as `after` for the next page; store it once the page is applied"
    )
    has_more: bool = Field(description="False: the feed was exhausted when this page was read")
    generated_at: str


class Jwk(BaseModel):
    kty: str
    crv: str
    x: str
    kid: str
    alg: str
    use: str


class Jwks(BaseModel):
    keys: list[Jwk]


def dumps(data: Any) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode()


class SignResponses:
    """Adds a detached JWS over the exact body bytes to every response this app sends."""

    def __init__(self, app: ASGIApp, signer: Signer | None) -> None:
        self.app = app
        self.signer = signer

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.signer is None:
            await self.app(scope, receive, send)
            return
        signer = self.signer
        start: Message | None = None
        chunks: list[bytes] = []

        async def capture(message: Message) -> None:
            nonlocal start
            if message["type"] == "http.response.start":
                start = message
                return
            if message["type"] != "http.response.body" or start is None:
                await send(message)
                return
            chunks.append(message.get("body", b""))
            if message.get("more_body"):
                return
            body = b"".join(chunks)
            headers = [(k, v) for k, v in start.get("headers", []) if k.lower() != b"content-length"]
            headers.append((b"content-length", str(len(body)).encode()))
            headers.append((SIGNATURE_HEADER.lower().encode(), signer.sign(body).encode()))
            await send({**start, "headers": headers})
            await send({"type": "http.response.body", "body": body})

        await self.app(scope, receive, capture)


def create_national_app(settings: Settings, clients: Clients) -> FastAPI:
    signer = load_signer(settings)
    limiter = RateLimiter(settings.national_rate_limit_per_minute)

    async def rate_limited(request: Request) -> Principal | None:
        """Counts the request against its client (by token subject, else by address)."""
        token = bearer_token(request)
        principal: Principal | None = None
        key = f"ip:{request.client.host if request.client else '?'}"
        if token:
            try:
                principal = verify_token(token, settings)
                key = f"sub:{principal.subject}"
            except InvalidToken:
                pass
        allowed, retry_after = limiter.allow(key)
        if not allowed:
            raise ProblemError(
                429,
                "rate_limited",
                "Too many requests",
                f"At most {settings.national_rate_limit_per_minute} requests a minute",
                headers={"Retry-After": str(max(1, round(retry_after)))},
            )
        if signer is None:
            raise ProblemError(503, "signing_key_missing", "Unavailable", "No signing key is configured")
        return principal

    async def national_client(
        request: Request, principal: Annotated[Principal | None, Depends(rate_limited)]
    ) -> Principal:
        if principal is None:
            token = bearer_token(request)
            if token is None:
                raise unauthorized("token_missing", "A bearer token is required")
            try:
                verify_token(token, settings)
            except InvalidToken as exc:
                raise unauthorized(exc.code, str(exc)) from exc
            raise unauthorized("token_invalid", "The token is not valid")
        if principal.role not in ALLOWED_ROLES:
            raise forbidden("role_not_allowed", "This API is for the national platform's client")
        return principal

    app = FastAPI(
        title="Shuzhuan national platform API",
        description=(
            "数转 city → national platform pull API: a signed change feed of the programme and its targets, "
            "enterprises, applications and admissions, assessments, providers, products, projects, claims "
            "and payments. Contract: docs/national-api.md."
        ),
        version=VERSION,
        responses={**PROBLEM_RESPONSES, 429: {"description": "Rate limited; retry after Retry-After"}},
    )
    install_error_handlers(app)
    app.add_middleware(SignResponses, signer=signer)

    @app.get(
        "/changes",
        response_model=None,
        responses={200: {"model": ChangePage, "description": f"Signed: see the {SIGNATURE_HEADER} header"}},
        summary="Entities changed after a cursor, with their current snapshots",
        tags=["change feed"],
    )
    async def changes(
        principal: Annotated[Principal, Depends(national_client)],
        after: Annotated[
            str | None, Query(description="A next_cursor from an earlier page; empty: the start")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 1000,
        types: Annotated[str | None, Query(description="Comma-separated entity types; default all")] = None,
    ) -> Response:
        positions = decode_cursor(after)
        wanted = parse_types(types)

        async def fetch(service: str, after_seq: int, count: int, service_types: Any) -> Answer:
            params: dict[str, Any] = {"after": after_seq, "limit": count}
            if service_types:
                params["types"] = ",".join(service_types)
            try:
                response = await clients.by_name[service].send(
                    "GET", "/national/changes", principal.token, params=params, headers={"accept": NDJSON}
                )
            except GatewayError as exc:
                raise ProblemError(
                    exc.status if exc.status and exc.status < 500 else 502,
                    exc.code.lower(),
                    "Upstream error",
                    str(exc),
                ) from exc
            head, *lines = response.content.split(b"\n")
            meta = json.loads(head)
            return Answer(lines, meta["seqs"], bool(meta["has_more"]))

        page = await collect(fetch, positions, limit, wanted)
        # The services' item bytes are spliced in as they came: no parsing and re-encoding of snapshots.
        head = dumps({"after": after or encode_cursor(positions)})
        tail = dumps(
            {
                "next_cursor": encode_cursor(page.positions),
                "has_more": page.has_more,
                "generated_at": utcnow().isoformat(),
            }
        )
        body = head[:-1] + b',"items":[' + b",".join(page.items) + b"]," + tail[1:]
        return Response(body, media_type="application/json")

    @app.get(
        "/performance",
        response_model=None,
        responses={200: {"description": f"Target table against actual figures; signed ({SIGNATURE_HEADER})"}},
        summary="Programme performance: every target row (per year and total) next to the actual figure",
        tags=["performance"],
    )
    async def performance_figures(
        principal: Annotated[Principal, Depends(national_client)],
        programme: Annotated[str, Query(description="Programme id, e.g. jinhua-2024", max_length=64)],
        year: Annotated[int | None, Query(ge=2000, le=2100)] = None,
        quarter: Annotated[int | None, Query(ge=1, le=4)] = None,
    ) -> Response:
        try:
            report = await performance.report(clients, principal, programme, year, quarter)
        except GatewayError as exc:
            status = exc.status if exc.status and exc.status < 500 else 502
            raise ProblemError(
                status, exc.code.lower(), "The figures could not be computed", str(exc)
            ) from exc
        body = {"programme": programme, "generated_at": utcnow().isoformat(), "report": report}
        return Response(
            json.dumps(body, ensure_ascii=False, separators=(",", ":"), default=str).encode(),
            media_type="application/json",
        )

    @app.get(
        "/keys",
        response_model=Jwks,
        summary="The public keys response signatures verify with (JWKS)",
        tags=["signing"],
    )
    async def keys(_: Annotated[Principal | None, Depends(rate_limited)]) -> dict[str, Any]:
        assert signer is not None
        return signer.jwks()

    return app
