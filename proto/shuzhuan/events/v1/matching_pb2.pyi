import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class ProviderKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    PROVIDER_KIND_UNSPECIFIED: _ClassVar[ProviderKind]
    PROVIDER_KIND_INTEGRATED: _ClassVar[ProviderKind]
    PROVIDER_KIND_SPECIALIST: _ClassVar[ProviderKind]
    PROVIDER_KIND_GENERAL_CONTRACTOR: _ClassVar[ProviderKind]

class SpendingCategory(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    SPENDING_CATEGORY_UNSPECIFIED: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_SOFTWARE: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_CLOUD_SERVICE: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_DATA_COLLECTION_HARDWARE: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_IMPLEMENTATION_SERVICE: _ClassVar[SpendingCategory]
    SPENDING_CATEGORY_OTHER: _ClassVar[SpendingCategory]
PROVIDER_KIND_UNSPECIFIED: ProviderKind
PROVIDER_KIND_INTEGRATED: ProviderKind
PROVIDER_KIND_SPECIALIST: ProviderKind
PROVIDER_KIND_GENERAL_CONTRACTOR: ProviderKind
SPENDING_CATEGORY_UNSPECIFIED: SpendingCategory
SPENDING_CATEGORY_SOFTWARE: SpendingCategory
SPENDING_CATEGORY_CLOUD_SERVICE: SpendingCategory
SPENDING_CATEGORY_DATA_COLLECTION_HARDWARE: SpendingCategory
SPENDING_CATEGORY_IMPLEMENTATION_SERVICE: SpendingCategory
SPENDING_CATEGORY_OTHER: SpendingCategory

class ProviderListed(_message.Message):
    __slots__ = ("provider_id", "uscc", "name", "kind", "industries", "counties", "listed_at")
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    NAME_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INDUSTRIES_FIELD_NUMBER: _ClassVar[int]
    COUNTIES_FIELD_NUMBER: _ClassVar[int]
    LISTED_AT_FIELD_NUMBER: _ClassVar[int]
    provider_id: str
    uscc: str
    name: str
    kind: ProviderKind
    industries: _containers.RepeatedScalarFieldContainer[str]
    counties: _containers.RepeatedScalarFieldContainer[str]
    listed_at: _timestamp_pb2.Timestamp
    def __init__(self, provider_id: _Optional[str] = ..., uscc: _Optional[str] = ..., name: _Optional[str] = ..., kind: _Optional[_Union[ProviderKind, str]] = ..., industries: _Optional[_Iterable[str]] = ..., counties: _Optional[_Iterable[str]] = ..., listed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProviderStatusChanged(_message.Message):
    __slots__ = ("provider_id", "status", "reason", "changed_at")
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    STATUS_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CHANGED_AT_FIELD_NUMBER: _ClassVar[int]
    provider_id: str
    status: str
    reason: str
    changed_at: _timestamp_pb2.Timestamp
    def __init__(self, provider_id: _Optional[str] = ..., status: _Optional[str] = ..., reason: _Optional[str] = ..., changed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EngagementCreated(_message.Message):
    __slots__ = ("engagement_id", "uscc", "provider_id", "kind", "solution_ids", "created_at")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    SOLUTION_IDS_FIELD_NUMBER: _ClassVar[int]
    CREATED_AT_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    uscc: str
    provider_id: str
    kind: str
    solution_ids: _containers.RepeatedScalarFieldContainer[str]
    created_at: _timestamp_pb2.Timestamp
    def __init__(self, engagement_id: _Optional[str] = ..., uscc: _Optional[str] = ..., provider_id: _Optional[str] = ..., kind: _Optional[str] = ..., solution_ids: _Optional[_Iterable[str]] = ..., created_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class BudgetLine(_message.Message):
    __slots__ = ("category", "amount_fen", "description")
    CATEGORY_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    DESCRIPTION_FIELD_NUMBER: _ClassVar[int]
    category: SpendingCategory
    amount_fen: int
    description: str
    def __init__(self, category: _Optional[_Union[SpendingCategory, str]] = ..., amount_fen: _Optional[int] = ..., description: _Optional[str] = ...) -> None: ...

class PlanApproved(_message.Message):
    __slots__ = ("plan_id", "engagement_id", "uscc", "provider_id", "target_level", "scenario_codes", "budget", "approved_at")
    PLAN_ID_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    TARGET_LEVEL_FIELD_NUMBER: _ClassVar[int]
    SCENARIO_CODES_FIELD_NUMBER: _ClassVar[int]
    BUDGET_FIELD_NUMBER: _ClassVar[int]
    APPROVED_AT_FIELD_NUMBER: _ClassVar[int]
    plan_id: str
    engagement_id: str
    uscc: str
    provider_id: str
    target_level: int
    scenario_codes: _containers.RepeatedScalarFieldContainer[str]
    budget: _containers.RepeatedCompositeFieldContainer[BudgetLine]
    approved_at: _timestamp_pb2.Timestamp
    def __init__(self, plan_id: _Optional[str] = ..., engagement_id: _Optional[str] = ..., uscc: _Optional[str] = ..., provider_id: _Optional[str] = ..., target_level: _Optional[int] = ..., scenario_codes: _Optional[_Iterable[str]] = ..., budget: _Optional[_Iterable[_Union[BudgetLine, _Mapping]]] = ..., approved_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ContractSigned(_message.Message):
    __slots__ = ("contract_id", "project_id", "engagement_id", "uscc", "provider_id", "amount_fen", "lines", "signed_on", "starts_on", "ends_on")
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    AMOUNT_FEN_FIELD_NUMBER: _ClassVar[int]
    LINES_FIELD_NUMBER: _ClassVar[int]
    SIGNED_ON_FIELD_NUMBER: _ClassVar[int]
    STARTS_ON_FIELD_NUMBER: _ClassVar[int]
    ENDS_ON_FIELD_NUMBER: _ClassVar[int]
    contract_id: str
    project_id: str
    engagement_id: str
    uscc: str
    provider_id: str
    amount_fen: int
    lines: _containers.RepeatedCompositeFieldContainer[BudgetLine]
    signed_on: _timestamp_pb2.Timestamp
    starts_on: _timestamp_pb2.Timestamp
    ends_on: _timestamp_pb2.Timestamp
    def __init__(self, contract_id: _Optional[str] = ..., project_id: _Optional[str] = ..., engagement_id: _Optional[str] = ..., uscc: _Optional[str] = ..., provider_id: _Optional[str] = ..., amount_fen: _Optional[int] = ..., lines: _Optional[_Iterable[_Union[BudgetLine, _Mapping]]] = ..., signed_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., starts_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ..., ends_on: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class MilestoneReported(_message.Message):
    __slots__ = ("project_id", "milestone_id", "uscc", "provider_id", "progress_percent", "confirmed_by_enterprise", "reported_at")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    MILESTONE_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROGRESS_PERCENT_FIELD_NUMBER: _ClassVar[int]
    CONFIRMED_BY_ENTERPRISE_FIELD_NUMBER: _ClassVar[int]
    REPORTED_AT_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    milestone_id: str
    uscc: str
    provider_id: str
    progress_percent: int
    confirmed_by_enterprise: bool
    reported_at: _timestamp_pb2.Timestamp
    def __init__(self, project_id: _Optional[str] = ..., milestone_id: _Optional[str] = ..., uscc: _Optional[str] = ..., provider_id: _Optional[str] = ..., progress_percent: _Optional[int] = ..., confirmed_by_enterprise: _Optional[bool] = ..., reported_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class ProjectCompleted(_message.Message):
    __slots__ = ("project_id", "uscc", "provider_id", "contract_id", "spent_fen", "completed_at")
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    CONTRACT_ID_FIELD_NUMBER: _ClassVar[int]
    SPENT_FEN_FIELD_NUMBER: _ClassVar[int]
    COMPLETED_AT_FIELD_NUMBER: _ClassVar[int]
    project_id: str
    uscc: str
    provider_id: str
    contract_id: str
    spent_fen: int
    completed_at: _timestamp_pb2.Timestamp
    def __init__(self, project_id: _Optional[str] = ..., uscc: _Optional[str] = ..., provider_id: _Optional[str] = ..., contract_id: _Optional[str] = ..., spent_fen: _Optional[int] = ..., completed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EngagementCancelled(_message.Message):
    __slots__ = ("engagement_id", "uscc", "provider_id", "project_id", "reason", "cancelled_at")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    REASON_FIELD_NUMBER: _ClassVar[int]
    CANCELLED_AT_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    uscc: str
    provider_id: str
    project_id: str
    reason: str
    cancelled_at: _timestamp_pb2.Timestamp
    def __init__(self, engagement_id: _Optional[str] = ..., uscc: _Optional[str] = ..., provider_id: _Optional[str] = ..., project_id: _Optional[str] = ..., reason: _Optional[str] = ..., cancelled_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class EngagementClosed(_message.Message):
    __slots__ = ("engagement_id", "uscc", "provider_id", "kind", "outcome", "closed_at")
    ENGAGEMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROVIDER_ID_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    OUTCOME_FIELD_NUMBER: _ClassVar[int]
    CLOSED_AT_FIELD_NUMBER: _ClassVar[int]
    engagement_id: str
    uscc: str
    provider_id: str
    kind: str
    outcome: str
    closed_at: _timestamp_pb2.Timestamp
    def __init__(self, engagement_id: _Optional[str] = ..., uscc: _Optional[str] = ..., provider_id: _Optional[str] = ..., kind: _Optional[str] = ..., outcome: _Optional[str] = ..., closed_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
