import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ClaimSubmitted(_message.Message):
    __slots__ = ("claim_id", "uscc", "policy_id", "claimed_fen", "submitted_at")
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    POLICY_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIMED_FEN_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    claim_id: str
    uscc: str
    policy_id: str
    claimed_fen: int
    submitted_at: _timestamp_pb2.Timestamp
    def __init__(self, claim_id: _Optional[str] = ..., uscc: _Optional[str] = ..., policy_id: _Optional[str] = ..., claimed_fen: _Optional[int] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ClaimApproved(_message.Message):
    __slots__ = ("claim_id", "uscc", "approved_fen", "by_source", "approved_at")
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    APPROVED_FEN_FIELD_NUMBER: _ClassVar[int]
    BY_SOURCE_FIELD_NUMBER: _ClassVar[int]
    APPROVED_AT_FIELD_NUMBER: _ClassVar[int]
    claim_id: str
    uscc: str
    approved_fen: int
    by_source: _containers.RepeatedCompositeFieldContainer[SourceAmount]
    approved_at: _timestamp_pb2.Timestamp
    def __init__(self, claim_id: _Optional[str] = ..., uscc: _Optional[str] = ..., approved_fen: _Optional[int] = ..., by_source: _Optional[_Iterable[_Union[SourceAmount, _Mapping]]] = ..., approved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class SourceAmount(_message.Message):
    __slots__ = ("source_id", "level", "amount_fen")
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    source_id: str
    level: str
    amount_fen: int
    def __init__(self, source_id: _Optional[str] = ..., level: _Optional[str] = ..., amount_fen: _Optional[int] = ...) -> None: ...

class PaymentDisbursed(_message.Message):
    __slots__ = ("payment_id", "claim_id", "uscc", "amount_fen", "source_id", "bank_reference", "paid_at")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    SOURCE_ID_FIELD_NUMBER: _ClassVar[int]
    BANK_REFERENCE_FIELD_NUMBER: _ClassVar[int]
    PAID_AT_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    claim_id: str
    uscc: str
    amount_fen: int
    source_id: str
    bank_reference: str
    paid_at: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., claim_id: _Optional[str] = ..., uscc: _Optional[str] = ..., amount_fen: _Optional[int] = ..., source_id: _Optional[str] = ..., bank_reference: _Optional[str] = ..., paid_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PaymentFailed(_message.Message):
    __slots__ = ("payment_id", "claim_id", "uscc", "amount_fen", "reason", "failed_at")
    PAYMENT_ID_FIELD_NUMBER: _ClassVar[int]
    CLAIM_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    FAILED_AT_FIELD_NUMBER: _ClassVar[int]
    payment_id: str
    claim_id: str
    uscc: str
    amount_fen: int
    reason: str
    failed_at: _timestamp_pb2.Timestamp
    def __init__(self, payment_id: _Optional[str] = ..., claim_id: _Optional[str] = ..., uscc: _Optional[str] = ..., amount_fen: _Optional[int] = ..., reason: _Optional[str] = ..., failed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class RecoveryRaised(_message.Message):
    __slots__ = ("recovery_id", "uscc", "amount_fen", "reason", "cause_event_id", "raised_at")
    RECOVERY_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CAUSE_EVENT_ID_FIELD_NUMBER: _ClassVar[int]
    RAISED_AT_FIELD_NUMBER: _ClassVar[int]
    recovery_id: str
    uscc: str
    amount_fen: int
    reason: str
    cause_event_id: str
    raised_at: _timestamp_pb2.Timestamp
    def __init__(self, recovery_id: _Optional[str] = ..., uscc: _Optional[str] = ..., amount_fen: _Optional[int] = ..., reason: _Optional[str] = ..., cause_event_id: _Optional[str] = ..., raised_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
