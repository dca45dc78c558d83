from collections.abc import Sequence
from typing import Any

from sqlalchemy import bindparam, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from services.funding.policy.models import PolicyVersion

_DIGEST = select(PolicyVersion.document_sha256).where(
    PolicyVersion.policy_key == bindparam("key"), PolicyVersion.version == bindparam("version")
)


def digest_of(key: Any, version: Any) -> Any:
    """The digest of a version as a column of another statement (e.g. a claim's pinned version)."""
    return (
        select(PolicyVersion.document_sha256)
        .where(PolicyVersion.policy_key == key, PolicyVersion.version == version)
        .scalar_subquery()
    )


class PolicyRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    async def latest_version_number(self, key: str) -> int:
        query = select(func.coalesce(func.max(PolicyVersion.version), 0)).where(
            PolicyVersion.policy_key == key
        )
        return int((await self.session.execute(query)).scalar_one())

    async def get(self, key: str, version: int | None = None) -> PolicyVersion | None:
        query = select(PolicyVersion).where(PolicyVersion.policy_key == key)
        if version is None:
            query = query.order_by(PolicyVersion.version.desc()).limit(1)
        else:
            query = query.where(PolicyVersion.version == version)
        return (await self.session.execute(query)).scalars().first()

    async def digest(self, key: str, version: int) -> str | None:
        return (await self.session.execute(_DIGEST, {"key": key, "version": version})).scalar()

    async def document(self, key: str, version: int) -> str | None:
        query = select(PolicyVersion.document).where(
            PolicyVersion.policy_key == key, PolicyVersion.version == version
        )
        return (await self.session.execute(query)).scalar()

    async def versions(self, key: str) -> Sequence[PolicyVersion]:
        query = select(PolicyVersion).where(PolicyVersion.policy_key == key).order_by(PolicyVersion.version)
        return (await self.session.execute(query)).scalars().all()

    async def latest_of_each(self) -> Sequence[PolicyVersion]:
        newest = (
            select(PolicyVersion.policy_key, func.max(PolicyVersion.version).label("version"))
            .group_by(PolicyVersion.policy_key)
            .subquery()
        )
        query = (
            select(PolicyVersion)
            .join(
                newest,
                (PolicyVersion.policy_key == newest.c.policy_key)
                & (PolicyVersion.version == newest.c.version),
            )
            .order_by(PolicyVersion.policy_key)
        )
        return (await self.session.execute(query)).scalars().all()

    async def add(self, version: PolicyVersion) -> None:
        self.session.add(version)
        await self.session.flush()
