"""Event contracts: the protobuf envelope, the payload registry and subject naming."""

import importlib
import pkgutil
import uuid
from dataclasses import dataclass
from datetime import datetime

import shuzhuan.events.v1 as contracts
from google.protobuf.message import DecodeError, Message
from google.protobuf.timestamp_pb2 import Timestamp
from shuzhuan.events.v1.envelope_pb2 import Envelope, TraceContext

from szcore.context import request_id_var, traceparent_var
from szcore.types import utcnow


def _load_payload_types() -> dict[str, type[Message]]:
    types: dict[str, type[Message]] = {}
    for module_info in pkgutil.iter_modules(contracts.__path__):
        if not module_info.name.endswith("_pb2") or module_info.name == "envelope_pb2":
            continue
        module = importlib.import_module(f"{contracts.__name__}.{module_info.name}")
        for name in module.DESCRIPTOR.message_types_by_name:
            types[name] = getattr(module, name)
    return types


PAYLOAD_TYPES = _load_payload_types()


class UnknownEventType(Exception):
    pass


class MalformedEvent(Exception):
    pass


def events_subject(namespace: str, producer: str, event_type: str) -> str:
    return f"{namespace}.events.{producer}.{event_type}"


def dead_letter_subject(namespace: str, consumer: str) -> str:
    return f"{namespace}.dlq.{consumer}"


def to_timestamp(value: datetime) -> Timestamp:
    ts = Timestamp()
    ts.FromDatetime(value)
    return ts


def from_timestamp(ts: Timestamp) -> datetime:
    return ts.ToDatetime(tzinfo=utcnow().tzinfo)


@dataclass(frozen=True)
class Event:
    envelope: Envelope
    payload: Message

    @property
    def event_id(self) -> str:
        return self.envelope.event_id

    @property
    def event_type(self) -> str:
        return self.envelope.event_type


def new_envelope(
    payload: Message,
    *,
    producer: str,
    aggregate_type: str,
    aggregate_id: str,
    schema_version: int = 1,
    occurred_at: datetime | None = None,
) -> Envelope:
    event_type = payload.DESCRIPTOR.name
    if event_type not in PAYLOAD_TYPES:
        raise UnknownEventType(event_type)
    return Envelope(
        event_id=str(uuid.uuid4()),
        event_type=event_type,
        occurred_at=to_timestamp(occurred_at or utcnow()),
        producer=producer,
        aggregate_type=aggregate_type,
        aggregate_id=aggregate_id,
        schema_version=schema_version,
        trace=TraceContext(traceparent=traceparent_var.get()),
        payload=payload.SerializeToString(),
        request_id=request_id_var.get(),
    )


def decode(data: bytes) -> Event:
    try:
        envelope = Envelope.FromString(data)
    except DecodeError as exc:
        raise MalformedEvent(f"not an Envelope: {exc}") from exc
    if not envelope.event_id:
        raise MalformedEvent("envelope without event_id")
    payload_type = PAYLOAD_TYPES.get(envelope.event_type)
    if payload_type is None:
        raise UnknownEventType(envelope.event_type)
    try:
        payload = payload_type.FromString(envelope.payload)
    except DecodeError as exc:
        raise MalformedEvent(f"payload is not a {envelope.event_type}: {exc}") from exc
    return Event(envelope=envelope, payload=payload)
