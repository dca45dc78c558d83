"""Reconciliation: what we delivered against what the national platform says it holds (pure)."""

from dataclasses import asdict, dataclass
from typing import Any


@dataclass(frozen=True)
class Holding:
    kind: str
    period: str
    revision: int
    count: int
    sha256: str


@dataclass(frozen=True)
class Difference:
    kind: str
    period: str
    problem: str  # missing_remote, missing_local, revision, count, hash
    local: dict[str, Any] | None
    remote: dict[str, Any] | None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def compare(local: list[Holding], remote: list[Holding]) -> list[Difference]:
    mine = {(h.kind, h.period): h for h in local}
    theirs = {(h.kind, h.period): h for h in remote}
    differences = []
    for key in sorted(mine.keys() | theirs.keys()):
        ours, other = mine.get(key), theirs.get(key)
        if ours is None:
            problem = "missing_local"
        elif other is None:
            problem = "missing_remote"
        elif ours.revision != other.revision:
            problem = "revision"
        elif ours.count != other.count:
            problem = "count"
        elif ours.sha256 != other.sha256:
            problem = "hash"
        else:
            continue
        differences.append(
            Difference(
                key[0], key[1], problem, asdict(ours) if ours else None, asdict(other) if other else None
            )
        )
    return differences
