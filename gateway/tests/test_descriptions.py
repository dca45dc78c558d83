"""Every type, field, argument, input field and enum value of the served schema is described in Chinese
and in English (front-end teams and officials read them in GraphiQL)."""

import re
from collections.abc import Iterator

import pytest
from graphql import (
    GraphQLEnumType,
    GraphQLInputObjectType,
    GraphQLInterfaceType,
    GraphQLObjectType,
    GraphQLSchema,
)

from gateway.descriptions import describe
from gateway.schema import build_schema
from szcore.settings import Environment, Settings

CJK = re.compile(r"[\u4e00-\u9fff]")
ENGLISH_WORD = re.compile(r"[A-Za-z]{2,}")
BUILT_IN = {"String", "Int", "Float", "Boolean", "ID"}


def bilingual(description: str | None) -> bool:
    return bool(description and CJK.search(description) and ENGLISH_WORD.search(description))


def described(schema: GraphQLSchema) -> Iterator[tuple[str, str | None]]:
    """(schema coordinate, description) of everything a client can see."""
    for name, named in schema.type_map.items():
        if name.startswith("__") or name in BUILT_IN:
            continue
        yield name, named.description
        if isinstance(named, GraphQLObjectType | GraphQLInterfaceType):
            for field_name, field in named.fields.items():
                yield f"{name}.{field_name}", field.description
                for arg_name, arg in field.args.items():
                    yield f"{name}.{field_name}({arg_name}:)", arg.description
        elif isinstance(named, GraphQLInputObjectType):
            for field_name, input_field in named.fields.items():
                yield f"{name}.{field_name}", input_field.description
        elif isinstance(named, GraphQLEnumType):
            for value_name, value in named.values.items():
                yield f"{name}.{value_name}", value.description


@pytest.fixture(scope="module")
def served() -> GraphQLSchema:
    return build_schema(Settings(env=Environment.test))._schema


class TestEverythingIsDescribedInBothLanguages:
    def test_no_coordinate_lacks_a_chinese_and_english_description(self, served: GraphQLSchema) -> None:
        missing = [coordinate for coordinate, text in described(served) if not bilingual(text)]
        assert missing == [], f"{len(missing)} without a bilingual description: {missing[:40]}"

    def test_the_walk_covers_arguments_and_enum_values(self, served: GraphQLSchema) -> None:
        coordinates = {coordinate for coordinate, _ in described(served)}
        assert "Query.claims(after:)" in coordinates
        assert "SizeClass.ABOVE_SCALE" in coordinates
        assert "RegisterEnterpriseInput.uscc" in coordinates


class TestTheCheckItself:
    @pytest.mark.parametrize("text", [None, "", "企业名称", "Enterprise name", "A / 1"])
    def test_single_language_or_empty_fails(self, text: str | None) -> None:
        assert not bilingual(text)

    def test_both_languages_pass(self) -> None:
        assert bilingual("Enterprise name / 企业名称")


class TestArgumentTable:
    def test_a_resolver_description_wins_over_the_table(self, served: GraphQLSchema) -> None:
        assert served.query_type is not None
        after = served.query_type.fields["claims"].args["after"]
        assert after.description and after.description.startswith("Continue after this cursor")
        # Filling again changes nothing (the schema module and build_schema both call it).
        refilled = describe(served).query_type
        assert (
            refilled is not None and refilled.fields["claims"].args["after"].description == after.description
        )
