"""A fast path in front of a pydantic model for bulk pushes: plain Python checks derived from the model's
own field constraints accept the records that are plainly valid, with exactly the values pydantic would
give; anything else (an error, a value pydantic would convert, a field kind not handled here) gets None,
and the caller validates it with the model, so errors keep pydantic's codes and messages."""

import re
import types
from collections.abc import Callable
from datetime import date
from enum import Enum
from typing import Annotated, Any, Union, get_args, get_origin

import annotated_types
from pydantic import BaseModel, StringConstraints
from pydantic.fields import FieldInfo

MISS: Any = object()
Check = Callable[[Any], Any]
ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)


def never(_: Any) -> Any:
    return MISS


def text_check(constraints: list[Any]) -> Check:
    """Already stripped text only: then Python's and pydantic's notions of white space cannot differ (every
    Unicode White_Space character is str.isspace). Patterns are matched on ASCII text only, where Python's
    and Rust's \\d and \\s are the same classes."""
    low, high, upper, pattern = 0, None, False, None
    for c in constraints:
        if not isinstance(c, StringConstraints) or c.to_lower or c.strict:
            return never
        low = c.min_length if c.min_length is not None else low
        high = c.max_length if c.max_length is not None else high
        upper = upper or bool(c.to_upper)
        pattern = re.compile(c.pattern, re.ASCII) if c.pattern else pattern

    def check(value: Any) -> Any:
        if type(value) is not str or not value or value[0].isspace() or value[-1].isspace():
            return MISS
        if upper:
            if not value.isascii():
                return MISS
            value = value.upper()
        if len(value) < low or (high is not None and len(value) > high):
            return MISS
        if pattern is not None and not (value.isascii() and pattern.fullmatch(value)):
            return MISS
        return value

    return check


def int_check(constraints: list[Any]) -> Check:
    low: Any = None
    high: Any = None
    for c in constraints:
        if isinstance(c, annotated_types.Ge):
            low = c.ge
        elif isinstance(c, annotated_types.Le):
            high = c.le
        else:
            return never

    def check(value: Any) -> Any:
        if type(value) is not int or (low is not None and value < low) or (high is not None and value > high):
            return MISS
        return value

    return check


def enum_check(kind: type[Enum]) -> Check:
    members = {member.value: member for member in kind}

    def check(value: Any) -> Any:
        return members.get(value, MISS) if type(value) is str else MISS

    return check


def date_check(value: Any) -> Any:
    if type(value) is date:
        return value
    if type(value) is not str or len(value) != 10 or not ISO_DATE.fullmatch(value):
        return MISS
    try:
        return date.fromisoformat(value)
    except ValueError:
        return MISS


def bool_check(value: Any) -> Any:
    return value if type(value) is bool else MISS


def nullable(info: FieldInfo) -> bool:
    return get_origin(info.annotation) in (Union, types.UnionType) and type(None) in get_args(info.annotation)


def field_check(info: FieldInfo) -> Check:
    """The check of a field's value other than None (see QuickValidator.check)."""
    annotation, constraints = info.annotation, list(info.metadata)
    if get_origin(annotation) in (Union, types.UnionType):
        options = [a for a in get_args(annotation) if a is not type(None)]
        if len(options) != 1:
            return never
        annotation = options[0]
    if get_origin(annotation) is Annotated:
        annotation, *more = get_args(annotation)
        constraints += more
    if annotation is str:
        check = text_check(constraints)
    elif annotation is int:
        check = int_check(constraints)
    elif constraints:
        return never
    elif isinstance(annotation, type) and issubclass(annotation, Enum):
        check = enum_check(annotation)
    elif annotation is date:
        check = date_check
    elif annotation is bool:
        check = bool_check
    else:
        return never
    return check


class QuickValidator:
    """`check(record)`: model.model_validate(record).model_dump(exclude_unset=True) for the records it
    accepts, None for the others (then validate them with the model)."""

    def __init__(self, model: type[BaseModel]) -> None:
        decorators = model.__pydantic_decorators__
        # Only a model whose checks are all in its fields' types (no validators, no global string options).
        plain = model.model_config == {"extra": "forbid"} and not (
            decorators.validators
            or decorators.field_validators
            or decorators.model_validators
            or decorators.root_validators
        )
        fields = model.model_fields
        self.checks = {name: field_check(info) for name, info in fields.items()} if plain else {}
        self.required = frozenset(name for name, info in fields.items() if info.is_required())
        self.nullable = frozenset(name for name, info in fields.items() if nullable(info))

    def check(self, record: dict[str, Any]) -> dict[str, Any] | None:
        checks, out = self.checks, {}
        for key, value in record.items():
            check = checks.get(key)
            if check is None:
                return None
            if value is None:
                if key not in self.nullable:
                    return None
            else:
                value = check(value)
                if value is MISS:
                    return None
            out[key] = value
        return out if self.required <= out.keys() else None
