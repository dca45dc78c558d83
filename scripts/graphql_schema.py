"""The gateway's GraphQL schema as a committed contract.

export   write gateway/schema.graphql from the code
check    fail when gateway/schema.graphql is stale, or when the schema breaks existing clients compared
         with a base (GRAPHQL_BASE_REF, else origin/main's merge-base when it differs from HEAD): a removed
         field, type or enum value, a changed type, a new required argument. Removing a field or enum
         value that the base had already deprecated is allowed.
"""

import argparse
import os
import re
import subprocess
import sys
from pathlib import Path

from graphql import GraphQLSchema, build_schema, find_breaking_changes
from graphql.type import GraphQLEnumType, GraphQLInputObjectType, GraphQLInterfaceType, GraphQLObjectType

ROOT = Path(__file__).resolve().parent.parent
SCHEMA_FILE = ROOT / "gateway" / "schema.graphql"
REMOVED = re.compile(r"^(?:Field|Enum value) (?P<type>\w+)\.(?P<member>\w+) was removed")
STANDARD_SCALAR_UNUSED = re.compile(r"^Standard scalar \w+ was removed because it is not referenced")


def current_sdl() -> str:
    sys.path.insert(0, str(ROOT))
    from gateway.schema import schema

    return schema.as_str().rstrip() + "\n"


def was_deprecated(schema: GraphQLSchema, type_name: str, member: str) -> bool:
    named = schema.get_type(type_name)
    if isinstance(named, GraphQLObjectType | GraphQLInterfaceType | GraphQLInputObjectType):
        field = named.fields.get(member)
        return field is not None and getattr(field, "deprecation_reason", None) is not None
    if isinstance(named, GraphQLEnumType):
        value = named.values.get(member)
        return value is not None and value.deprecation_reason is not None
    return False


def breaking_changes(old_sdl: str, new_sdl: str) -> list[str]:
    old, new = build_schema(old_sdl), build_schema(new_sdl)
    problems = []
    for change in find_breaking_changes(old, new):
        match = REMOVED.match(change.description)
        if match and was_deprecated(old, match["type"], match["member"]):
            continue
        if STANDARD_SCALAR_UNUSED.match(change.description):
            continue
        problems.append(f"BREAKING: {change.type.name}: {change.description}")
    return problems


def base_sdl() -> tuple[str, str] | None:
    def git(*args: str) -> str | None:
        result = subprocess.run(["git", *args], cwd=ROOT, capture_output=True, text=True)
        return result.stdout.strip() if result.returncode == 0 else None

    ref = os.environ.get("GRAPHQL_BASE_REF")
    if not ref:
        head, main = git("rev-parse", "HEAD"), git("rev-parse", "--verify", "-q", "origin/main")
        if not main or main == head:
            return None
        ref = git("merge-base", "HEAD", "origin/main") or "origin/main"
    text = git("show", f"{ref}:gateway/schema.graphql")
    return (ref, text + "\n") if text else None


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("command", choices=["export", "check"])
    args = parser.parse_args()
    sdl = current_sdl()
    if args.command == "export":
        SCHEMA_FILE.write_text(sdl, encoding="utf-8")
        print(f"wrote {SCHEMA_FILE.relative_to(ROOT)}")
        return
    failed = False
    committed = SCHEMA_FILE.read_text(encoding="utf-8") if SCHEMA_FILE.exists() else ""
    if committed != sdl:
        print("gateway/schema.graphql is stale: run python scripts/graphql_schema.py export", file=sys.stderr)
        failed = True
    base = base_sdl()
    if base is None:
        print("note: no base ref to compare with; checked the committed schema against itself only")
        problems = breaking_changes(committed, sdl) if committed else []
    else:
        print(f"comparing with {base[0]}")
        problems = breaking_changes(base[1], sdl)
    for problem in problems:
        print(problem, file=sys.stderr)
    if failed or problems:
        sys.exit(1)
    print("graphql schema check passed")


if __name__ == "__main__":
    main()
