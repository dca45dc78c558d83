"""Every mutation answers with a payload carrying `errors: [UserError!]!` (field, code, message), so input
and workflow problems reach the client as data; refusals and missing records stay GraphQL errors."""

from typing import Any

import pytest
from graphql import GraphQLObjectType, get_named_type

from gateway.schema import schema

MUTATIONS = schema._schema.mutation_type.fields if schema._schema.mutation_type else {}


@pytest.mark.parametrize("name", sorted(MUTATIONS))
def test_payload_has_typed_user_errors(name: str) -> None:
    payload: Any = get_named_type(MUTATIONS[name].type)
    assert isinstance(payload, GraphQLObjectType), name
    assert "errors" in payload.fields, f"{name} returns {payload.name} without errors"
    assert str(payload.fields["errors"].type) == "[UserError!]!", name
    assert set(get_named_type(payload.fields["errors"].type).fields) >= {"field", "code", "message"}  # type: ignore[union-attr]


class TestCallerErrorsByDomain:
    @pytest.mark.parametrize("module", ["enrollment", "assessment", "funding", "matching"])
    def test_only_input_and_workflow_statuses_become_user_errors(self, module: str) -> None:
        domain = __import__(f"gateway.{module}.schema", fromlist=["CALLER_ERRORS"])
        assert domain.CALLER_ERRORS == {409, 422}
