"""One pooled httpx client per service. The caller's token and request id flow to every call."""

from typing import Any

import httpx
from opentelemetry.trace import SpanKind

from gateway.errors import GatewayError
from szcore.context import request_id_var, traceparent_var
from szcore.settings import SERVICES, Settings
from szcore.tracing import span

IDEMPOTENT_RETRIES = 2


class ServiceClient:
    def __init__(self, name: str, base_url: str, timeout: float) -> None:
        self.name = name
        self.http = httpx.AsyncClient(
            base_url=base_url,
            timeout=timeout,
            limits=httpx.Limits(max_connections=100, max_keepalive_connections=20),
            transport=httpx.AsyncHTTPTransport(retries=IDEMPOTENT_RETRIES),
        )

    def _headers(self, token: str | None) -> dict[str, str]:
        headers = {"x-request-id": request_id_var.get(), "traceparent": traceparent_var.get()}
        if token:
            headers["authorization"] = f"Bearer {token}"
        return {k: v for k, v in headers.items() if v}

    async def request(self, method: str, path: str, token: str | None, **kwargs: Any) -> Any:
        return (await self.send(method, path, token, **kwargs)).json()

    async def send(
        self, method: str, path: str, token: str | None, headers: dict[str, str] | None = None, **kwargs: Any
    ) -> httpx.Response:
        """The raw response (for files and headers); problems and transport failures become GatewayErrors."""
        attributes = {"http.request.method": method, "peer.service": self.name}
        problem = _unsafe_request(path, headers)
        if problem:
            raise GatewayError("VALIDATION_FAILED", problem, 422)
        try:
            with span(f"{self.name} {method}", SpanKind.CLIENT, attributes=attributes) as client_span:
                response = await self.http.request(
                    method, path, headers={**self._headers(token), **(headers or {})}, **kwargs
                )
                client_span.set_attribute("http.response.status_code", response.status_code)
        except httpx.TimeoutException as exc:
            raise GatewayError("UPSTREAM_TIMEOUT", f"The {self.name} service did not answer in time") from exc
        except httpx.TransportError as exc:
            raise GatewayError("UPSTREAM_UNAVAILABLE", f"The {self.name} service is not reachable") from exc
        if response.status_code >= 400:
            raise problem_to_error(self.name, response)
        if response.status_code >= 300:
            # A redirect means the path did not name a resource (e.g. an empty id left a trailing slash).
            raise GatewayError("NOT_FOUND", "No such record", 404)
        return response

    async def get(self, path: str, token: str | None, **kwargs: Any) -> Any:
        return await self.request("GET", path, token, **kwargs)

    async def post(self, path: str, token: str | None, **kwargs: Any) -> Any:
        return await self.request("POST", path, token, **kwargs)

    async def close(self) -> None:
        await self.http.aclose()


def _unsafe_request(path: str, headers: dict[str, str] | None) -> str | None:
    """Why caller input placed in a path or header cannot be sent upstream (None if it can): an empty or
    dot segment would reach another route, control characters are not valid in a URL, and header values
    must be ASCII."""
    route = path.split("?", 1)[0]
    if any(segment in ("", ".", "..") for segment in route.split("/")[1:]):
        return "An identifier in the request is empty or not valid"
    if any(ord(ch) < 0x20 or ord(ch) == 0x7F for ch in path):
        return "An identifier in the request contains control characters"
    if headers and not all(value.isascii() for value in headers.values()):
        return "A header value (e.g. the idempotency key) must be ASCII"
    return None


def problem_to_error(service: str, response: httpx.Response) -> GatewayError:
    try:
        body = response.json()
    except ValueError:
        body = {}
    if response.status_code >= 500 or not isinstance(body, dict):
        return GatewayError("UPSTREAM_ERROR", f"The {service} service failed", response.status_code)
    return GatewayError(
        str(body.get("code", "upstream_error")),
        str(body.get("detail") or body.get("title") or "request refused"),
        response.status_code,
        body.get("errors") or [],
    )


class Clients:
    def __init__(self, settings: Settings) -> None:
        self.by_name = {
            name: ServiceClient(name, settings.service_url(name), settings.upstream_timeout_seconds)
            for name in SERVICES
        }

    def __getattr__(self, name: str) -> ServiceClient:
        try:
            return self.__dict__["by_name"][name]
        except KeyError:
            raise AttributeError(name) from None

    async def close(self) -> None:
        for client in self.by_name.values():
            await client.close()
