from dataclasses import dataclass, field
from typing import Any

from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from gateway.clients import Clients
from gateway.errors import GatewayError
from gateway.loaders import batch_list_loader, batch_loader
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
        if self.principal is None and isinstance(self.connection_params, dict):
            # WebSocket clients (browsers cannot set headers) send the token in connection_init.
            token = str(self.connection_params.get("authorization", "")).removeprefix("Bearer ").strip()
            if token:
                try:
                    self.principal = verify_token(token, self.settings)
                except InvalidToken as exc:
                    self.auth_error = exc
        if self.principal is None:
            if self.auth_error is not None:
                raise GatewayError(self.auth_error.code, str(self.auth_error), 401)
            raise GatewayError("TOKEN_MISSING", "A bearer token is required", 401)
        return self.principal

    @property
    def token(self) -> str:
        return self.require_principal().token

    def loader(
        self,
        service: str,
        path: str,
        key_param: str = "uscc",
        key_field: str = "uscc",
        *,
        many: bool = False,
    ) -> DataLoader[str, Any]:
        """The request's DataLoader for a batch endpoint (created on first use, shared by all resolvers).
        With `many`, each key loads the list of its items (one-to-many links) instead of one item."""
        name = f"{service}:{path}:{key_param}:{key_field}:{'many' if many else 'one'}"
        if name not in self.loaders:
            make = batch_list_loader if many else batch_loader
            self.loaders[name] = make(self.clients.by_name[service], path, self.token, key_param, key_field)
        return self.loaders[name]  # type: ignore[no-any-return]


async def build_context(request: HTTPConnection) -> GatewayContext:
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
