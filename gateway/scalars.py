from typing import Any, NewType

import strawberry

# Money is integer fen; budgets and output figures exceed GraphQL's 32-bit Int.
Fen = NewType("Fen", int)

SCALAR_MAP: dict[object, Any] = {
    Fen: strawberry.scalar(
        name="Fen",
        serialize=int,
        parse_value=int,
        description="Money in fen (分), an integer that may exceed 32 bits / 金额（分，可超过32位整数）",
    )
}
