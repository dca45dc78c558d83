"""Machine clients at the gateway: the OAuth 2.0 client credentials grant (RFC 6749 §4.4) at
POST /oauth/token, and the principal of a REST call from a bearer token or an X-API-Key.

Clients live in the registry file (szcore/credentials.py), re-read when it changes. Failed
authentications are counted per client id and per address; past the limit the answer is 429 whatever the
secret, so that secrets cannot be guessed at speed.
"""

import base64
import binascii
import hashlib
import time
from collections import OrderedDict, deque
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from szcore.auth import InvalidToken, Principal, Role, bearer_token, principal_from_claims, verify_token
from szcore.credentials import ClientRecord, ClientRegistry, client_token, split_api_key
from szcore.errors import PROBLEM_BASE, ProblemError, forbidden, unauthorized
from szcore.settings import Settings

WINDOW_SECONDS = 60.0
ADDRESS_FACTOR = 10


class FailureLimiter:
    """Failures per key in a sliding minute; a key over the limit is refused until its failures age out."""

    def __init__(self, per_minute: int, max_keys: int = 50_000) -> None:
        self.per_minute = per_minute
        self.max_keys = max_keys
        self.failures: dict[str, deque[float]] = {}

    def _recent(self, key: str, now: float) -> deque[float]:
        times = self.failures.get(key)
        if times is None:
            if len(self.failures) >= self.max_keys:
                self.failures.clear()
            times = self.failures[key] = deque()
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        return times

    def blocked(self, keys: list[str], now: float | None = None) -> float:
        """Seconds to wait (0: not blocked)."""
        now = time.monotonic() if now is None else now
        wait = 0.0
        for key in keys:
            times = self._recent(key, now)
            if len(times) >= self.per_minute:
                wait = max(wait, times[0] + WINDOW_SECONDS - now)
        return wait

    def fail(self, keys: list[str], now: float | None = None) -> None:
        now = time.monotonic() if now is None else now
        for key in keys:
            self._recent(key, now).append(now)


class ClientStore:
    """The registry file, re-read when its modification time changes, and recent successful checks (so
    that an API key on every request does not cost a scrypt each time)."""

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.path: Path = settings.clients_path()
        self._mtime: float | None = None
        self._registry = ClientRegistry(self.path)
        self._verified: OrderedDict[tuple[str, str, str], ClientRecord] = OrderedDict()
        self.limiter = FailureLimiter(settings.client_auth_failures_per_minute)
        # Many clients may share an address (behind a proxy or NAT): a wider limit there, so that one
        # guesser does not lock out every county behind it.
        self.address_limiter = FailureLimiter(settings.client_auth_failures_per_minute * ADDRESS_FACTOR)

    def registry(self) -> ClientRegistry:
        try:
            mtime = self.path.stat().st_mtime
        except FileNotFoundError:
            mtime = None
        if mtime != self._mtime:
            self._registry = ClientRegistry.load(self.path)
            self._mtime = mtime
            self._verified.clear()
        return self._registry

    def verify(self, client_id: str, secret: str) -> ClientRecord | None:
        registry = self.registry()
        current = registry.get(client_id)
        key = (client_id, hashlib.sha256(secret.encode()).hexdigest(), current.secret_hash if current else "")
        if current is not None and not current.revoked and key in self._verified:
            return current
        record = registry.verify(client_id, secret)
        if record is not None:
            self._verified[key] = record
            if len(self._verified) > 1000:
                self._verified.popitem(last=False)
        return record

    def authenticate(self, client_id: str, secret: str, address: str) -> ClientRecord | None:
        """verify() behind the failure limit; raises a 429 problem while the caller is blocked."""
        client_key, address_key = [f"client:{client_id}"], [f"addr:{address}"]
        wait = max(self.limiter.blocked(client_key), self.address_limiter.blocked(address_key))
        if wait:
            raise ProblemError(
                429,
                "too_many_failed_attempts",
                "Too many failed attempts",
                "Too many failed client authentications; wait and try again",
                headers={"Retry-After": str(int(wait) + 1)},
            )
        record = self.verify(client_id, secret)
        if record is None:
            self.limiter.fail(client_key)
            self.address_limiter.fail(address_key)
        return record


def client_store(request: Request) -> ClientStore:
    state = request.app.state
    if getattr(state, "client_store", None) is None:
        state.client_store = ClientStore(state.settings)
    store: ClientStore = state.client_store
    return store


def address(request: Request) -> str:
    return request.client.host if request.client else "unknown"


@dataclass(frozen=True)
class MachineCaller:
    principal: Principal
    # The bearer token to forward to the services: the caller's own, or one minted for an API key.
    token: str


def machine_caller(request: Request, *roles: Role) -> MachineCaller:
    """The caller of a machine REST API, by bearer token or X-API-Key, with one of `roles`."""
    settings: Settings = request.app.state.settings
    token = bearer_token(request)
    api_key = request.headers.get("x-api-key")
    if token:
        try:
            principal = verify_token(token, settings)
        except InvalidToken as exc:
            raise unauthorized(exc.code, str(exc)) from exc
        # A revoked client's tokens stop at once here, not only when they expire.
        registered = client_store(request).registry().get(principal.subject)
        if registered is not None and registered.revoked:
            raise unauthorized("client_revoked", "The client has been revoked")
    elif api_key:
        parts = split_api_key(api_key)
        record = client_store(request).authenticate(*parts, address(request)) if parts else None
        if record is None:
            raise ProblemError(
                401,
                "api_key_invalid",
                "Not authenticated",
                "The API key is unknown, wrong or revoked",
                headers={"WWW-Authenticate": 'Bearer, ApiKey header="X-API-Key"'},
            )
        token = client_token(settings, record)
        principal = principal_from_claims(
            {"sub": record.client_id, "role": record.role.value, **record.scope}, token
        )
    else:
        raise unauthorized("token_missing", "Send a bearer token (POST /oauth/token) or an X-API-Key")
    if principal.role not in roles:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not use this API")
    request.state.principal = principal
    return MachineCaller(principal, token)


# --- POST /oauth/token ---

router = APIRouter(tags=["oauth"])


def oauth_error(
    status: int, error: str, description: str, headers: dict[str, str] | None = None
) -> JSONResponse:
    # RFC 6749 §5.2 fields for OAuth libraries, and the RFC 9457 ones the rest of the API uses.
    body = {
        "error": error,
        "error_description": description,
        "type": PROBLEM_BASE + error,
        "title": "Token request refused",
        "status": status,
        "code": error,
        "detail": description,
    }
    return JSONResponse(
        body,
        status_code=status,
        headers={"Cache-Control": "no-store", "Pragma": "no-cache", **(headers or {})},
    )


def basic_credentials(request: Request) -> tuple[str, str] | None:
    scheme, _, value = request.headers.get("authorization", "").partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        decoded = base64.b64decode(value.strip(), validate=True).decode()
    except (binascii.Error, UnicodeDecodeError):
        return ("", "")
    client_id, _, secret = decoded.partition(":")
    # RFC 6749 §2.3.1: both parts are form-urlencoded before base64.
    return unquote(client_id.replace("+", " ")), unquote(secret.replace("+", " "))


@router.post(
    "/oauth/token",
    summary="OAuth 2.0 client credentials grant (RFC 6749 §4.4)",
    description=(
        "Form-encoded `grant_type=client_credentials`; the client authenticates with HTTP Basic "
        "(client_id:client_secret) or the form fields `client_id` and `client_secret`. Answers a short-lived "
        "bearer JWT carrying the client's role and scope."
    ),
    openapi_extra={
        "requestBody": {
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {
                        "type": "object",
                        "required": ["grant_type"],
                        "properties": {
                            "grant_type": {"type": "string", "enum": ["client_credentials"]},
                            "client_id": {"type": "string"},
                            "client_secret": {"type": "string"},
                        },
                    }
                }
            }
        }
    },
)
async def token(request: Request) -> Any:
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/x-www-form-urlencoded":
        return oauth_error(
            400, "invalid_request", "Send the request form-encoded (application/x-www-form-urlencoded)"
        )
    form = {k: v[0] for k, v in parse_qs((await request.body()).decode("utf-8", "replace")).items()}
    basic = basic_credentials(request)
    if basic is not None and ("client_secret" in form):
        return oauth_error(400, "invalid_request", "Use one client authentication method, not both")
    client_id, secret = (
        basic if basic is not None else (form.get("client_id", ""), form.get("client_secret", ""))
    )
    challenge = {"WWW-Authenticate": 'Basic realm="shuzhuan"'} if basic is not None else {}
    if not client_id or not secret:
        return oauth_error(401, "invalid_client", "Client authentication is required", challenge)
    store = client_store(request)
    try:
        record = store.authenticate(client_id, secret, address(request))
    except ProblemError as exc:
        return oauth_error(exc.status, "too_many_failed_attempts", exc.detail or exc.title, exc.headers)
    if record is None:
        return oauth_error(401, "invalid_client", "Unknown client, wrong secret or revoked client", challenge)
    grant_type = form.get("grant_type")
    if not grant_type:
        return oauth_error(400, "invalid_request", "grant_type is required")
    if grant_type != "client_credentials":
        return oauth_error(400, "unsupported_grant_type", "Only grant_type=client_credentials is supported")
    settings: Settings = request.app.state.settings
    ttl = settings.client_token_ttl_seconds
    access_token = client_token(settings, record, ttl)
    body = {"access_token": access_token, "token_type": "Bearer", "expires_in": ttl}
    return JSONResponse(body, headers={"Cache-Control": "no-store", "Pragma": "no-cache"})
