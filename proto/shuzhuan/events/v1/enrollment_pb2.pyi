import datetime

from google.protobuf import timestamp_pb2 as _timestamp_pb2
from google.protobuf.internal import enum_type_wrapper as _enum_type_wrapper
from google.protobuf import descriptor as _descriptor
from google.protobuf import message as _message
from collections.abc import Mapping as _Mapping
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
