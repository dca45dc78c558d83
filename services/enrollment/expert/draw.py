"""Reproducible random draw of reviewers with avoidance rules. Pure: anyone holding the recorded seed
and candidate list gets the same experts again."""

import hashlib
import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Candidate:
    expert_id: str
    fields: frozenset[str]
    employer_uscc: str | None
    linked_parties: frozenset[str]  # USCCs and provider ids it is linked to


@dataclass(frozen=True)
class DrawResult:
    eligible: list[str]  # sorted, the list the seed draws from
    excluded: dict[str, str]  # expert id -> reason
    selected: list[str]


def seed_for(draw_id: str) -> str:
    return hashlib.sha256(f"shuzhuan-expert-draw:{draw_id}".encode()).hexdigest()


def exclusion(
    candidate: Candidate, fields: frozenset[str], parties: frozenset[str], recent_reviewers: frozenset[str]
) -> str | None:
    if fields and not candidate.fields & fields:
        return "no_matching_field"
    if candidate.employer_uscc and candidate.employer_uscc in parties:
        return "same_employer"
    if candidate.linked_parties & parties:
        return "linked_party"
    if candidate.expert_id in recent_reviewers:
        return "reviewed_recently"
    return None


def draw(
    candidates: Iterable[Candidate],
    *,
    fields: Iterable[str],
    parties: Iterable[str],
    recent_reviewers: Iterable[str],
    count: int,
    seed: str,
) -> DrawResult:
    wanted, involved, recent = frozenset(fields), frozenset(parties), frozenset(recent_reviewers)
    eligible: list[str] = []
    excluded: dict[str, str] = {}
    for candidate in sorted(candidates, key=lambda c: c.expert_id):
        reason = exclusion(candidate, wanted, involved, recent)
        if reason:
            excluded[candidate.expert_id] = reason
        else:
            eligible.append(candidate.expert_id)
    selected = random.Random(seed).sample(eligible, min(count, len(eligible)))
    return DrawResult(eligible, excluded, selected)


def conflicts(candidate: Candidate, parties: Sequence[str]) -> str | None:
    return exclusion(candidate, frozenset(), frozenset(parties), frozenset())


def as_candidates(experts: Iterable[Mapping[str, object]]) -> list[Candidate]:
    return [
        Candidate(
            expert_id=str(e["id"]),
            fields=frozenset(e["fields"]),  # type: ignore[arg-type]
            employer_uscc=e.get("employer_uscc"),  # type: ignore[arg-type]
            linked_parties=frozenset(e.get("links", ())),  # type: ignore[arg-type]
        )
        for e in experts
    ]
