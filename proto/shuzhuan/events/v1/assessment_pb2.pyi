import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import containers as _containers
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Iterable as _Iterable, Mapping as _Mapping
from typing import ClassVar as _ClassVar, Optional as _Optional, Union as _Union

DESCRIPTOR: _descriptor.FileDescriptor

class AssessmentKind(int, metaclass=_enum_type_wrapper.EnumTypeWrapper):
    __slots__ = ()
    ASSESSMENT_KIND_UNSPECIFIED: _ClassVar[AssessmentKind]
    ASSESSMENT_KIND_SELF: _ClassVar[AssessmentKind]
    ASSESSMENT_KIND_DIAGNOSIS: _ClassVar[AssessmentKind]
    ASSESSMENT_KIND_ACCEPTANCE: _ClassVar[AssessmentKind]
ASSESSMENT_KIND_UNSPECIFIED: AssessmentKind
ASSESSMENT_KIND_SELF: AssessmentKind
ASSESSMENT_KIND_DIAGNOSIS: AssessmentKind
ASSESSMENT_KIND_ACCEPTANCE: AssessmentKind

class ScenarioLevel(_message.Message):
    __slots__ = ("scenario_code", "level")
    SCENARIO_CODE_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    scenario_code: str
    level: int
    def __init__(self, scenario_code: _Optional[str] = ..., level: _Optional[int] = ...) -> None: ...

class AssessmentSubmitted(_message.Message):
    __slots__ = ("assessment_id", "uscc", "kind", "index_version", "level", "base_score_centi", "scenarios", "assessor_id", "supersedes_id", "submitted_at")
    ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    KIND_FIELD_NUMBER: _ClassVar[int]
    INDEX_VERSION_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    BASE_SCORE_CENTI_FIELD_NUMBER: _ClassVar[int]
    SCENARIOS_FIELD_NUMBER: _ClassVar[int]
    ASSESSOR_ID_FIELD_NUMBER: _ClassVar[int]
    SUPERSEDES_ID_FIELD_NUMBER: _ClassVar[int]
    SUBMITTED_AT_FIELD_NUMBER: _ClassVar[int]
    assessment_id: str
    uscc: str
    kind: AssessmentKind
    index_version: str
    level: int
    base_score_centi: int
    scenarios: _containers.RepeatedCompositeFieldContainer[ScenarioLevel]
    assessor_id: str
    supersedes_id: str
    submitted_at: _timestamp_pb2.Timestamp
    def __init__(self, assessment_id: _Optional[str] = ..., uscc: _Optional[str] = ..., kind: _Optional[_Union[AssessmentKind, str]] = ..., index_version: _Optional[str] = ..., level: _Optional[int] = ..., base_score_centi: _Optional[int] = ..., scenarios: _Optional[_Iterable[_Union[ScenarioLevel, _Mapping]]] = ..., assessor_id: _Optional[str] = ..., supersedes_id: _Optional[str] = ..., submitted_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class NeededImprovement(_message.Message):
    __slots__ = ("scenario_code", "from_level", "to_level", "question_code", "score_gain_centi")
    SCENARIO_CODE_FIELD_NUMBER: _ClassVar[int]
    FROM_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TO_LEVEL_FIELD_NUMBER: _ClassVar[int]
    QUESTION_CODE_FIELD_NUMBER: _ClassVar[int]
    SCORE_GAIN_CENTI_FIELD_NUMBER: _ClassVar[int]
    scenario_code: str
    from_level: int
    to_level: int
    question_code: str
    score_gain_centi: int
    def __init__(self, scenario_code: _Optional[str] = ..., from_level: _Optional[int] = ..., to_level: _Optional[int] = ..., question_code: _Optional[str] = ..., score_gain_centi: _Optional[int] = ...) -> None: ...

class GapAnalysisProduced(_message.Message):
    __slots__ = ("assessment_id", "uscc", "current_level", "target_level", "improvements", "produced_at")
    ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    CURRENT_LEVEL_FIELD_NUMBER: _ClassVar[int]
    TARGET_LEVEL_FIELD_NUMBER: _ClassVar[int]
    IMPROVEMENTS_FIELD_NUMBER: _ClassVar[int]
    PRODUCED_AT_FIELD_NUMBER: _ClassVar[int]
    assessment_id: str
    uscc: str
    current_level: int
    target_level: int
    improvements: _containers.RepeatedCompositeFieldContainer[NeededImprovement]
    produced_at: _timestamp_pb2.Timestamp
    def __init__(self, assessment_id: _Optional[str] = ..., uscc: _Optional[str] = ..., current_level: _Optional[int] = ..., target_level: _Optional[int] = ..., improvements: _Optional[_Iterable[_Union[NeededImprovement, _Mapping]]] = ..., produced_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class AcceptanceEvaluated(_message.Message):
    __slots__ = ("assessment_id", "uscc", "project_id", "level", "base_score_centi", "level_before", "index_version", "evaluator_id", "second_evaluator_id", "evaluated_at")
    ASSESSMENT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    PROJECT_ID_FIELD_NUMBER: _ClassVar[int]
    LEVEL_FIELD_NUMBER: _ClassVar[int]
    BASE_SCORE_CENTI_FIELD_NUMBER: _ClassVar[int]
    LEVEL_BEFORE_FIELD_NUMBER: _ClassVar[int]
    INDEX_VERSION_FIELD_NUMBER: _ClassVar[int]
    EVALUATOR_ID_FIELD_NUMBER: _ClassVar[int]
    SECOND_EVALUATOR_ID_FIELD_NUMBER: _ClassVar[int]
    EVALUATED_AT_FIELD_NUMBER: _ClassVar[int]
    assessment_id: str
    uscc: str
    project_id: str
    level: int
    base_score_centi: int
    level_before: int
    index_version: str
    evaluator_id: str
    second_evaluator_id: str
    evaluated_at: _timestamp_pb2.Timestamp
    def __init__(self, assessment_id: _Optional[str] = ..., uscc: _Optional[str] = ..., project_id: _Optional[str] = ..., level: _Optional[int] = ..., base_score_centi: _Optional[int] = ..., level_before: _Optional[int] = ..., index_version: _Optional[str] = ..., evaluator_id: _Optional[str] = ..., second_evaluator_id: _Optional[str] = ..., evaluated_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...

class PilotStatusRevoked(_message.Message):
    __slots__ = ("revisit_id", "uscc", "finding", "detail", "revoked_at")
    REVISIT_ID_FIELD_NUMBER: _ClassVar[int]
    USCC_FIELD_NUMBER: _ClassVar[int]
    FINDING_FIELD_NUMBER: _ClassVar[int]
    DETAIL_FIELD_NUMBER: _ClassVar[int]
    REVOKED_AT_FIELD_NUMBER: _ClassVar[int]
    revisit_id: str
    uscc: str
    finding: str
    detail: str
    revoked_at: _timestamp_pb2.Timestamp
    def __init__(self, revisit_id: _Optional[str] = ..., uscc: _Optional[str] = ..., finding: _Optional[str] = ..., detail: _Optional[str] = ..., revoked_at: _Optional[_Union[datetime.datetime, _timestamp_pb2.Timestamp, _Mapping]] = ...) -> None: ...
