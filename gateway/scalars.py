from typing import Any, NewType

import strawberry
from graphql import GraphQLError

# Money is integer fen; budgets and output figures exceed GraphQL's 32-bit Int.
Fen = NewType("Fen", int)


def parse_fen(value: object) -> int:
    """Whole fen only: a fraction, a boolean or text that is not an integer is refused, never truncated."""
    if isinstance(value, bool) or not isinstance(value, int | float | str):
        raise GraphQLError("Fen must be an integer number of fen")
    if isinstance(value, float):
        if not value.is_integer():
            raise GraphQLError("Fen must be a whole number of fen, not a fraction")
        return int(value)
    try:
        return int(value)
    except ValueError:
        raise GraphQLError("Fen must be an integer number of fen") from None


SCALAR_MAP: dict[object, Any] = {
    Fen: strawberry.scalar(
        name="Fen",
        serialize=int,
        parse_value=parse_fen,
        description="Money in fen (分), an integer that may exceed 32 bits / 金额（分，可超过32位整数）",
    )
}
