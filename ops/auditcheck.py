import importlib

from sqlalchemy.ext.asyncio import AsyncSession

from szcore.audit import AuditLog, VerifyResult, parse_anchor
from szcore.db import create_engine
from szcore.settings import get_settings

# The funding ledger is a hash chain of its own; it is verified with the audit chains under this name.
LEDGER_CHAIN = "ledger"


def parse_anchors(texts: list[str]) -> dict[str, tuple[int, str]]:
    """['CHAIN:SEQ:HASH', ...] → {chain: (seq, hash)}; heads printed by an earlier verify."""
    anchors = {}
    for text in texts:
        chain, _, rest = text.partition(":")
        anchors[chain] = parse_anchor(rest)
    return anchors


async def verify_service(
    service: str, database_url: str | None = None, anchors: dict[str, tuple[int, str]] | None = None
) -> list[VerifyResult]:
    audit: AuditLog = importlib.import_module(f"services.{service}.db").audit_log
    anchors = anchors or {}
    engine = create_engine(database_url or get_settings().database_url(service))
    try:
        async with engine.connect() as connection:
            session = AsyncSession(bind=connection)
            chains = sorted(set(await audit.chains(session) or ["default"]) | (set(anchors) - {LEDGER_CHAIN}))
            results = [await audit.verify(session, chain, anchor=anchors.get(chain)) for chain in chains]
            if service == "funding":
                from services.funding.ledger.service import verify_chain

                check = await verify_chain(session, anchor=anchors.get(LEDGER_CHAIN))
                results.append(
                    VerifyResult(
                        LEDGER_CHAIN,
                        check.ok,
                        check.checked,
                        None,
                        check.first_broken_seq,
                        check.reason,
                        check.head_seq,
                        check.head_hash,
                    )
                )
            return results
    finally:
        await engine.dispose()
