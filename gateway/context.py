from dataclasses import dataclass, field
from typing import Any

from fastapi import Request
from strawberry.fastapi import BaseContext

from gateway.clients import Clients
from gateway.errors import GatewayError
from szcore.auth import InvalidToken, Principal, bearer_token, verify_token
from szcore.settings import Settings


@dataclass
class GatewayContext(BaseContext):
    settings: Settings
    clients: Clients
    principal: Principal | None
    auth_error: InvalidToken | None = None
    loaders: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        super().__init__()

    def require_principal(self) -> Principal:
        if self.principal is None:
            if self.auth_error is not None:
                raise GatewayError(self.auth_error.code, str(self.auth_error), 401)
            raise GatewayError("TOKEN_MISSING", "A bearer token is required", 401)
        return self.principal

    @property
    def token(self) -> str:
        return self.require_principal().token


async def build_context(request: Request) -> GatewayContext:
    settings: Settings = request.app.state.settings
    token = bearer_token(request)
    principal, error = None, None
    if token:
        try:
            principal = verify_token(token, settings)
        except InvalidToken as exc:
            error = exc
    return GatewayContext(
        settings=settings, clients=request.app.state.clients, principal=principal, auth_error=error
    )
