"""OpenTelemetry traces: one trace per request, across the gateway, the services and NATS (the envelope
carries the W3C traceparent), including the consumers a request triggers. Spans are always recorded so
that context propagates; they are exported only when SZ_OTEL_EXPORTER_OTLP_ENDPOINT is set."""

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

from opentelemetry import trace
from opentelemetry.sdk.resources import Resource
from opentelemetry.sdk.trace import SpanProcessor, TracerProvider
from opentelemetry.sdk.trace.export import BatchSpanProcessor
from opentelemetry.trace import Span, SpanKind
from opentelemetry.trace.propagation.tracecontext import TraceContextTextMapPropagator

from szcore.context import traceparent_var
from szcore.settings import Settings

PROPAGATOR = TraceContextTextMapPropagator()
# FastAPI opens the server span of every request; our Prometheus metrics and JSON logs cover the rest.
FASTAPI_TELEMETRY: dict[str, Any] = {
    "tracing": True,
    "metrics": False,
    "logs": False,
    "operation_spans": False,
}
_provider: TracerProvider | None = None
tracer = trace.get_tracer("shuzhuan")


def configure_tracing(process: str, settings: Settings) -> TracerProvider:
    """Once per OS process (OpenTelemetry refuses a second global provider)."""
    global _provider
    if _provider is None:
        _provider = TracerProvider(resource=Resource.create({"service.name": f"shuzhuan-{process}"}))
        if settings.otel_exporter_otlp_endpoint:
            from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

            endpoint = settings.otel_exporter_otlp_endpoint.rstrip("/") + "/v1/traces"
            _provider.add_span_processor(BatchSpanProcessor(OTLPSpanExporter(endpoint=endpoint)))
        trace.set_tracer_provider(_provider)
    return _provider


def add_span_processor(processor: SpanProcessor) -> None:
    if _provider is None:
        raise RuntimeError("configure_tracing first")
    _provider.add_span_processor(processor)


def current_traceparent() -> str:
    carrier: dict[str, str] = {}
    PROPAGATOR.inject(carrier)
    return carrier.get("traceparent", "")


@contextmanager
def span(
    name: str, kind: SpanKind, parent_traceparent: str | None = None, attributes: dict[str, Any] | None = None
) -> Iterator[Span]:
    """A span that is current for the block; a given traceparent (from a header or an event) is its parent.
    `traceparent_var` follows it, so outgoing calls and emitted events carry this span's context."""
    context = PROPAGATOR.extract({"traceparent": parent_traceparent}) if parent_traceparent else None
    with tracer.start_as_current_span(name, context=context, kind=kind, attributes=attributes) as current:
        token = traceparent_var.set(current_traceparent())
        try:
            yield current
        finally:
            traceparent_var.reset(token)


@contextmanager
def item_spans(items: Sequence[tuple[str, str | None, dict[str, Any]]], kind: SpanKind) -> Iterator[None]:
    """One span per item of set-based work (name, traceparent, attributes), each a child of the item's own
    traceparent: every event a consumer applies in a batch stays in the trace of the request behind it."""
    started = [
        tracer.start_span(
            name,
            context=PROPAGATOR.extract({"traceparent": parent}) if parent else None,
            kind=kind,
            attributes=attributes,
        )
        for name, parent, attributes in items
    ]
    try:
        yield
    finally:
        for current in started:
            current.end()
