"""The committed schema is current, and the compatibility check catches breaking changes."""

import importlib.util
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
spec = importlib.util.spec_from_file_location("graphql_schema_tool", ROOT / "scripts" / "graphql_schema.py")
assert spec and spec.loader
tool = importlib.util.module_from_spec(spec)
spec.loader.exec_module(tool)

OLD = """
type Query { enterprise(uscc: String!): Enterprise  legacy: String @deprecated(reason: "use enterprise") }
type Enterprise { uscc: String! name: String! level: Int }
enum SizeClass { ABOVE_SCALE BELOW_SCALE OLD @deprecated }
"""


class TestSchemaContract:
    def test_committed_schema_is_current(self) -> None:
        assert (ROOT / "gateway" / "schema.graphql").read_text() == tool.current_sdl()

    def test_additions_are_compatible(self) -> None:
        new = OLD.replace("level: Int }", "level: Int county: String }")
        assert tool.breaking_changes(OLD, new) == []

    def test_removing_a_field_breaks(self) -> None:
        problems = tool.breaking_changes(OLD, OLD.replace(" name: String!", ""))
        assert len(problems) == 1 and "Enterprise.name" in problems[0]

    def test_changing_a_type_breaks(self) -> None:
        problems = tool.breaking_changes(OLD, OLD.replace("level: Int", "level: String"))
        assert problems and "Enterprise.level" in problems[0]

    def test_a_new_required_argument_breaks(self) -> None:
        new = OLD.replace("enterprise(uscc: String!)", "enterprise(uscc: String!, county: String!)")
        assert tool.breaking_changes(OLD, new)

    def test_removing_a_deprecated_field_or_value_is_allowed(self) -> None:
        new = OLD.replace('  legacy: String @deprecated(reason: "use enterprise")', "").replace(
            " OLD @deprecated", ""
        )
        assert tool.breaking_changes(OLD, new) == []
