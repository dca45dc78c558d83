import time

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from szcore import metrics
from szcore.context import new_request_id, request_id_var, traceparent_var
from szcore.errors import problem_response
from szcore.tracing import current_traceparent


class RequestContextMiddleware:
    """Request id and trace context in and out, request metrics, and a cap on the body size."""

    def __init__(
        self,
        app: ASGIApp,
        process: str,
        max_body_bytes: int,
        max_body_bytes_by_prefix: dict[str, int] | None = None,
    ) -> None:
        self.app = app
        self.process = process
        self.max_body_bytes = max_body_bytes
        # Path prefix -> cap, for the few routes that take large uploads (county pushes at the gateway).
        self.max_body_bytes_by_prefix = max_body_bytes_by_prefix or {}

    def body_cap(self, path: str) -> int:
        for prefix, cap in self.max_body_bytes_by_prefix.items():
            if path.startswith(prefix):
                return cap
        return self.max_body_bytes

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope["headers"]}
        request_id = headers.get("x-request-id", "")[:64] or new_request_id()
        rid_token = request_id_var.set(request_id)
        # FastAPI's own telemetry has opened the server span (a child of the incoming traceparent); calls and
        # events made while handling the request carry its context.
        tp_token = traceparent_var.set(current_traceparent() or headers.get("traceparent", ""))
        try:
            await self._handle(scope, receive, send, headers, request_id)
        finally:
            request_id_var.reset(rid_token)
            traceparent_var.reset(tp_token)

    async def _handle(
        self, scope: Scope, receive: Receive, send: Send, headers: dict[str, str], request_id: str
    ) -> None:
        started = time.perf_counter()
        status_holder = {"status": 500}

        cap = self.body_cap(scope.get("path", ""))
        declared = headers.get("content-length")
        if declared and declared.isdigit() and int(declared) > cap:
            await self._too_large(scope, receive, send, cap)
            return

        received = 0

        async def limited_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > cap:
                    raise BodyTooLarge()
            return message

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                status_holder["status"] = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", request_id.encode())]
            await send(message)

        try:
            await self.app(scope, limited_receive, send_with_headers)
        except BodyTooLarge:
            await self._too_large(scope, receive, send_with_headers, cap)
        finally:
            route = scope.get("route")
            path = getattr(route, "path", None) or "unmatched"
            elapsed = time.perf_counter() - started
            status = str(status_holder["status"])
            metrics.HTTP_REQUESTS.labels(self.process, scope["method"], path, status).inc()
            metrics.HTTP_LATENCY.labels(self.process, scope["method"], path).observe(elapsed)

    async def _too_large(self, scope: Scope, receive: Receive, send: Send, cap: int) -> None:
        response = problem_response(
            413, "payload_too_large", "Request body too large", f"At most {cap} bytes"
        )
        await response(scope, receive, send)


class BodyTooLarge(Exception):
    pass
