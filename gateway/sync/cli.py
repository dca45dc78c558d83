"""`python -m ops national ...`: the push's state, resend, reconciliation, without the GraphQL API."""

import argparse
import asyncio
import json
import sys
from typing import Any

from gateway.errors import GatewayError
from gateway.sync import repository, service
from gateway.sync.runtime import SyncRuntime
from szcore.db import session_scope
from szcore.settings import get_settings


async def _run(args: argparse.Namespace) -> Any:
    sync = SyncRuntime(get_settings())
    try:
        if args.action == "status":
            async with sync.sessionmaker() as session:
                counts = await repository.status_counts(session)
                rows = await repository.listing(session, status=args.status, limit=args.limit)
                reports = [
                    {
                        "id": r.id,
                        "kind": r.kind,
                        "period": r.period,
                        "revision": r.revision,
                        "status": r.status,
                        "attempts": r.attempts,
                        "last_error": r.last_error,
                        "receipt": r.remote_receipt,
                    }
                    for r in rows
                ]
            return {"enabled": sync.enabled, "counts": counts, "reports": reports}
        if args.action == "resend":
            async for session in session_scope(sync.sessionmaker):
                report = await service.resend(session, sync.settings, args.id, "ops-cli")
                result = {"id": report.id, "revision": report.revision, "status": report.status}
            return result
        if not sync.enabled:
            sys.exit("SZ_NATIONAL_PUSH_URL is not set")
        async for session in session_scope(sync.sessionmaker):
            run = await service.reconcile(session, sync.national, args.period, "ops-cli")
            result = {"status": run.status, "checked": run.checked, "differences": run.differences}
        return result
    finally:
        await sync.stop()


def cmd_national(args: argparse.Namespace) -> None:
    try:
        result = asyncio.run(_run(args))
    except GatewayError as error:
        sys.exit(f"{error.code}: {error}")
    print(json.dumps(result, ensure_ascii=False, indent=2, default=str))


def add_parser(sub: Any) -> None:
    p = sub.add_parser("national", help="national-platform push: status, resend a report, reconcile")
    p.add_argument("action", choices=["status", "resend", "reconcile"])
    p.add_argument("--status", default=None, help="status: only reports in this status (e.g. rejected)")
    p.add_argument("--limit", type=int, default=50)
    p.add_argument("--id", default=None, help="resend: the rejected or dead report")
    p.add_argument("--period", default=None, help="reconcile: only this period")
    p.set_defaults(func=cmd_national)
