from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.matching.rules.models import RuleVersion


class RuleRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest(self, kind: str, scope: str) -> RuleVersion | None:
        query = (
            select(RuleVersion)
            .where(RuleVersion.kind == kind, RuleVersion.scope == scope)
            .order_by(RuleVersion.version.desc())
            .limit(1)
        )
        return (await self.session.execute(query)).scalar_one_or_none()

    async def next_version(self, kind: str, scope: str) -> int:
        query = select(func.max(RuleVersion.version)).where(
            RuleVersion.kind == kind, RuleVersion.scope == scope
        )
        return ((await self.session.execute(query)).scalar_one() or 0) + 1

    async def add(self, rule: RuleVersion) -> RuleVersion:
        self.session.add(rule)
        await self.session.flush()
        return rule
