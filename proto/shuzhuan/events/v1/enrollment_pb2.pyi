import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class SizeClass(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SIZE_CLASS_UNSPECIFIED: _ClassVar[SizeClass]
    SIZE_CLASS_ABOVE_SCALE: _ClassVar[SizeClass]
    SIZE_CLASS_BELOW_SCALE: _ClassVar[SizeClass]
SIZE_CLASS_UNSPECIFIED: SizeClass
SIZE_CLASS_ABOVE_SCALE: SizeClass
SIZE_CLASS_BELOW_SCALE: SizeClass

class EnterpriseRegistered(_message.Message):
    __slots__ = ("uscc", "name", "county_code", "industry_code", "size_class", "registered_at", "source")
    USCC_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTY_CODE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_CLASS_FIELD_NUMBER: _ClassVar[int]
    REGISTERED_AT_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    name: str
    county_code: str
    industry_code: str
    size_class: SizeClass
    registered_at: _timestamp_pb2.Timestamp
    source: str
    def __init__(self, uscc: _Optional[str] = ..., name: _Optional[str] = ..., county_code: _Optional[str] = ..., industry_code: _Optional[str] = ..., size_class: _Optional[_Union[SizeClass, str]] = ..., registered_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...

class EnterpriseUpdated(_message.Message):
    __slots__ = ("uscc", "name", "county_code", "industry_code", "size_class", "pilot_industry", "srdi_status", "cloud_adopted", "changed_fields", "source", "version", "changed_at")
    USCC_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    COUNTY_CODE_FIELD_NUMBER: _ClassVar[int]
    INDUSTRY_CODE_FIELD_NUMBER: _ClassVar[int]
    SIZE_CLASS_FIELD_NUMBER: _ClassVar[int]
    PILOT_INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    SRDI_STATUS_FIELD_NUMBER: _ClassVar[int]
    CLOUD_ADOPTED_FIELD_NUMBER: _ClassVar[int]
    CHANGED_FIELDS_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    VERSION_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    uscc: str
    name: str
    county_code: str
    industry_code: str
    size_class: SizeClass
    pilot_industry: str
    srdi_status: str
    cloud_adopted: bool
    changed_fields: _containers.RepeatedScalarFieldContainer[str]
    source: str
    version: int
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, uscc: _Optional[str] = ..., name: _Optional[str] = ..., county_code: _Optional[str] = ..., industry_code: _Optional[str] = ..., size_class: _Optional[_Union[SizeClass, str]] = ..., pilot_industry: _Optional[str] = ..., srdi_status: _Optional[str] = ..., cloud_adopted: _Optional[bool] = ..., changed_fields: _Optional[_Iterable[str]] = ..., source: _Optional[str] = ..., version: _Optional[int] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ApplicationSubmitted(_message.Message):
    __slots__ = ("application_id", "uscc", "programme_id", "batch_id", "county_code", "submitted_at", "submitted_by_county")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROGRAMME_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    COUNTY_CODE_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_BY_COUNTY_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    uscc: str
    programme_id: str
    batch_id: str
    county_code: str
    submitted_at: _timestamp_pb2.Timestamp
    submitted_by_county: bool
    def __init__(self, application_id: _Optional[str] = ..., uscc: _Optional[str] = ..., programme_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., county_code: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., submitted_by_county: _Optional[bool] = ...) -> None: ...

class ApplicationReviewed(_message.Message):
    __slots__ = ("application_id", "uscc", "step", "decision", "reviewer_role", "status_after", "reviewed_at")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    STEP_FIELD_NUMBER: _ClassVar[int]
    DECISION_FIELD_NUMBER: _ClassVar[int]
    REVIEWER_ROLE_FIELD_NUMBER: _ClassVar[int]
    STATUS_AFTER_FIELD_NUMBER: _ClassVar[int]
    REVIEWED_AT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    uscc: str
    step: str
    decision: str
    reviewer_role: str
    status_after: str
    reviewed_at: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., uscc: _Optional[str] = ..., step: _Optional[str] = ..., decision: _Optional[str] = ..., reviewer_role: _Optional[str] = ..., status_after: _Optional[str] = ..., reviewed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EnterpriseAdmitted(_message.Message):
    __slots__ = ("application_id", "uscc", "programme_id", "batch_id", "batch_number", "county_code", "pilot_industry", "admitted_at")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROGRAMME_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    BATCH_NUMBER_FIELD_NUMBER: _ClassVar[int]
    COUNTY_CODE_FIELD_NUMBER: _ClassVar[int]
    PILOT_INDUSTRY_FIELD_NUMBER: _ClassVar[int]
    ADMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    uscc: str
    programme_id: str
    batch_id: str
    batch_number: int
    county_code: str
    pilot_industry: str
    admitted_at: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., uscc: _Optional[str] = ..., programme_id: _Optional[str] = ..., batch_id: _Optional[str] = ..., batch_number: _Optional[int] = ..., county_code: _Optional[str] = ..., pilot_industry: _Optional[str] = ..., admitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EnterpriseWithdrawn(_message.Message):
    __slots__ = ("application_id", "uscc", "batch_id", "reason", "replaced_by_uscc", "withdrawn_at")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    REPLACED_BY_USCC_FIELD_NUMBER: _ClassVar[int]
    WITHDRAWN_AT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    uscc: str
    batch_id: str
    reason: str
    replaced_by_uscc: str
    withdrawn_at: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., uscc: _Optional[str] = ..., batch_id: _Optional[str] = ..., reason: _Optional[str] = ..., replaced_by_uscc: _Optional[str] = ..., withdrawn_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EnterpriseDisqualified(_message.Message):
    __slots__ = ("application_id", "uscc", "batch_id", "reason", "disqualified_at")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    DISQUALIFIED_AT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    uscc: str
    batch_id: str
    reason: str
    disqualified_at: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., uscc: _Optional[str] = ..., batch_id: _Optional[str] = ..., reason: _Optional[str] = ..., disqualified_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EnterpriseTransferred(_message.Message):
    __slots__ = ("application_id", "uscc", "from_batch_id", "to_batch_id", "transferred_at")
    APPLICATION_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    FROM_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    TO_BATCH_ID_FIELD_NUMBER: _ClassVar[int]
    TRANSFERRED_AT_FIELD_NUMBER: _ClassVar[int]
    application_id: str
    uscc: str
    from_batch_id: str
    to_batch_id: str
    transferred_at: _timestamp_pb2.Timestamp
    def __init__(self, application_id: _Optional[str] = ..., uscc: _Optional[str] = ..., from_batch_id: _Optional[str] = ..., to_batch_id: _Optional[str] = ..., transferred_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class DesignationAwarded(_message.Message):
    __slots__ = ("designation_id", "uscc", "kind", "case_id", "awarded_on", "source")
    DESIGNATION_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    CASE_ID_FIELD_NUMBER: _ClassVar[int]
    AWARDED_ON_FIELD_NUMBER: _ClassVar[int]
    SOURCE_FIELD_NUMBER: _ClassVar[int]
    designation_id: str
    uscc: str
    kind: str
    case_id: str
    awarded_on: _timestamp_pb2.Timestamp
    source: str
    def __init__(self, designation_id: _Optional[str] = ..., uscc: _Optional[str] = ..., kind: _Optional[str] = ..., case_id: _Optional[str] = ..., awarded_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., source: _Optional[str] = ...) -> None: ...
