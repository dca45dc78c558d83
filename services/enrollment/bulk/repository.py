from collections.abc import Iterable, Sequence
from typing import Any

from sqlalchemy import RowMapping, bindparam, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.bulk.models import BulkPush
from services.enrollment.enterprise.models import Enterprise, EnterpriseVersion
from services.enrollment.national.feed import feed
from szcore.errors import conflict

CHUNK = 5000
ENTERPRISE = Enterprise.__table__


def chunks(items: Sequence[Any], size: int = CHUNK) -> Iterable[Sequence[Any]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


class BulkRepository:
    """Set-based reads and writes: a push of 100,000 records costs a few dozen statements, not one per row."""

    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def push(self, scope: str, request_id: str) -> BulkPush | None:
        query = select(BulkPush).where(BulkPush.scope == scope, BulkPush.request_id == request_id)
        return (await self.session.execute(query)).scalars().first()

    async def existing(self, usccs: Sequence[str]) -> dict[str, RowMapping]:
        found: dict[str, RowMapping] = {}
        for part in chunks(usccs):
            rows = await self.session.execute(select(ENTERPRISE).where(ENTERPRISE.c.uscc.in_(part)))
            found.update({row.uscc: row for row in rows.mappings()})
        return found

    async def insert_enterprises(self, rows: Sequence[dict[str, Any]]) -> None:
        for part in chunks(rows):
            await self.session.execute(insert(ENTERPRISE), list(part))
        await feed.record(self.session, "enterprise", [row["uscc"] for row in rows])

    async def update_enterprises(self, rows: Sequence[dict[str, Any]]) -> None:
        statement = update(ENTERPRISE).where(ENTERPRISE.c.uscc == bindparam("key_uscc"))
        for part in chunks(rows):
            await self.session.execute(statement, list(part))
        await feed.record(self.session, "enterprise", [row["key_uscc"] for row in rows])

    async def insert_versions(self, rows: Sequence[dict[str, Any]]) -> None:
        for part in chunks(rows):
            await self.session.execute(insert(EnterpriseVersion.__table__), list(part))

    async def insert_rows(self, table: Any, rows: Sequence[dict[str, Any]]) -> None:
        for part in chunks(rows):
            await self.session.execute(insert(table), list(part))

    async def claim(self, push: BulkPush) -> None:
        """Records the push first, in a savepoint: a concurrent push with the same request id waits on
        the unique key and is then refused, instead of applying the records twice."""
        try:
            async with self.session.begin_nested():
                self.session.add(push)
                await self.session.flush()
        except IntegrityError:
            raise conflict(
                "request_in_progress",
                f"Request id {push.request_id} is being or was just applied; send it again to get its answer",
            ) from None
