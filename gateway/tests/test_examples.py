"""The example operations in gateway/examples/ are the registered persisted operations that the screens use:
one named operation per file, a screen header, unique names, and valid against the schema."""

import re
from pathlib import Path

import pytest
from graphql import OperationDefinitionNode, parse, validate
from graphql.validation import NoDeprecatedCustomRule

from gateway.guard import OPERATIONS_DIR
from gateway.schema import schema

EXAMPLES = sorted(OPERATIONS_DIR.rglob("*.graphql"))
AUDIENCES = {"city", "county", "enterprise", "provider", "expert", "evaluator", "national"}
HEADER = re.compile(r"^# Screen: [^\n—]+ — [^\n]+ \([^\n]*[\u4e00-\u9fff][^\n]*\)$")


def example_id(path: Path) -> str:
    return str(path.relative_to(OPERATIONS_DIR))


def test_every_audience_has_examples() -> None:
    present = {path.relative_to(OPERATIONS_DIR).parts[0] for path in EXAMPLES}
    assert AUDIENCES <= present


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_one_named_operation_with_a_screen_header(path: Path) -> None:
    text = path.read_text()
    assert HEADER.match(text.splitlines()[0]), text.splitlines()[0]
    definitions = parse(text).definitions
    assert len(definitions) == 1 and isinstance(definitions[0], OperationDefinitionNode)
    assert definitions[0].name is not None
    assert validate(schema._schema, parse(text)) == []


def test_operation_names_are_unique() -> None:
    names = [parse(path.read_text()).definitions[0].name.value for path in EXAMPLES]  # type: ignore[attr-defined]
    assert len(names) == len(set(names)), sorted(name for name in names if names.count(name) > 1)


@pytest.mark.parametrize("path", EXAMPLES, ids=example_id)
def test_examples_use_no_deprecated_field_or_argument(path: Path) -> None:
    # The examples are what screens copy: they show the current API (first/after, not cursor/limit).
    assert validate(schema._schema, parse(path.read_text()), [NoDeprecatedCustomRule]) == []
