"""Progress of the pushes this process is applying, for the status endpoint of long pushes.

A push is one transaction, so the database shows nothing until it commits; meanwhile its progress lives
here (per process: with several replicas, a status request may reach another one, which answers from the
database once the push is committed). Finished entries are kept a while for the outcomes that are not
stored (dry runs, all-or-nothing rejections, failures)."""

import time
from dataclasses import dataclass, field
from typing import Any

KEEP_SECONDS = 15 * 60


@dataclass
class Progress:
    scope: str
    request_id: str
    phase: str = "received"  # received, validating, writing, committing, completed, failed
    total: int | None = None
    done: int = 0
    errors: int = 0
    report: dict[str, Any] | None = None
    failure: dict[str, Any] | None = None
    updated: float = field(default_factory=time.monotonic)

    def set(self, **changes: Any) -> None:
        for key, value in changes.items():
            setattr(self, key, value)
        self.updated = time.monotonic()

    @property
    def running(self) -> bool:
        # "committing": answered; whether the commit succeeded the database tells.
        return self.phase not in ("committing", "completed", "failed")


PUSHES: dict[tuple[str, str], Progress] = {}


def start(scope: str, request_id: str) -> Progress | None:
    """A new entry, or None when the same push is running here already."""
    now = time.monotonic()
    for key, entry in list(PUSHES.items()):
        if not entry.running and now - entry.updated > KEEP_SECONDS:
            del PUSHES[key]
    current = PUSHES.get((scope, request_id))
    if current is not None and current.running:
        return None
    entry = PUSHES[(scope, request_id)] = Progress(scope, request_id)
    return entry


def get(scope: str, request_id: str) -> Progress | None:
    return PUSHES.get((scope, request_id))
