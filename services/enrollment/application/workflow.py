"""The admission workflow as a pure state machine: no I/O, the programme's review steps are data.

submit → in_review (step 1..n, each decided by its role) → approved → public_notice (objection window)
→ admitted. A review may reject (terminal) or return the application for amendment (→ returned →
resubmit → step 1). Withdrawal, disqualification, transfer between batches and replacement work on the
way or after admission."""

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum


class Status(StrEnum):
    in_review = "in_review"
    returned = "returned"
    approved = "approved"
    public_notice = "public_notice"
    admitted = "admitted"
    rejected = "rejected"
    withdrawn = "withdrawn"
    disqualified = "disqualified"


class Action(StrEnum):
    resubmit = "resubmit"
    review = "review"
    start_notice = "start_notice"
    raise_objection = "raise_objection"
    uphold_objection = "uphold_objection"
    dismiss_objection = "dismiss_objection"
    admit = "admit"
    withdraw = "withdraw"
    disqualify = "disqualify"
    transfer = "transfer"
    replaced = "replaced"  # this (admitted) place goes to another enterprise
    admit_as_replacement = "admit_as_replacement"


class Decision(StrEnum):
    approved = "approved"
    rejected = "rejected"
    returned = "returned"


TERMINAL = frozenset({Status.rejected, Status.withdrawn, Status.disqualified})
APPLICANTS = frozenset({"enterprise", "county_admin", "county_system"})
CITY = frozenset({"city_admin"})
# Who may do what, and from which states; review is checked against the current step's role instead.
RULES: dict[Action, tuple[frozenset[str], frozenset[Status]]] = {
    Action.resubmit: (APPLICANTS, frozenset({Status.returned})),
    Action.review: (frozenset(), frozenset({Status.in_review})),
    Action.start_notice: (CITY, frozenset({Status.approved})),
    Action.raise_objection: (
        frozenset({"enterprise", "county_admin", "city_admin", "expert", "provider", "auditor"}),
        frozenset({Status.public_notice}),
    ),
    Action.uphold_objection: (CITY, frozenset({Status.public_notice})),
    Action.dismiss_objection: (CITY, frozenset({Status.public_notice})),
    Action.admit: (CITY, frozenset({Status.public_notice})),
    Action.admit_as_replacement: (CITY, frozenset({Status.public_notice})),
    Action.withdraw: (APPLICANTS | CITY, frozenset(Status) - TERMINAL),
    Action.disqualify: (CITY, frozenset({Status.approved, Status.public_notice, Status.admitted})),
    Action.transfer: (CITY, frozenset(Status) - TERMINAL),
    Action.replaced: (CITY, frozenset({Status.admitted})),
}


# The roles a programme's review step may name (services/enrollment/programme/schemas.py ReviewStep.role).
STEP_ROLES = frozenset({"county_admin", "city_admin", "expert"})


def may_ever(action: Action, role: str) -> bool:
    """Whether the role may take this action in some state (a review: if some step could name the role)."""
    roles, _ = RULES[action]
    return role in (roles or STEP_ROLES)


@dataclass(frozen=True)
class Step:
    code: str
    role: str


@dataclass(frozen=True)
class State:
    status: Status
    step_index: int = 0
    notice_ends_at: datetime | None = None
    open_objections: int = 0


class TransitionRefused(Exception):
    def __init__(self, code: str, message: str, *, by_role: bool = False) -> None:
        super().__init__(message)
        self.code = code
        self.by_role = by_role


def submitted() -> State:
    return State(Status.in_review, 0)


def current_step(state: State, steps: Sequence[Step]) -> Step | None:
    return (
        steps[state.step_index]
        if state.status == Status.in_review and state.step_index < len(steps)
        else None
    )


def transition(
    state: State,
    action: Action,
    role: str,
    steps: Sequence[Step],
    *,
    now: datetime,
    decision: Decision | None = None,
    objection_window: timedelta = timedelta(0),
) -> State:
    """The state after `action` by `role`, or TransitionRefused saying why not."""
    roles, sources = RULES[action]
    if state.status not in sources:
        raise TransitionRefused(
            "invalid_transition", f"Cannot {action.value} an application that is {state.status.value}"
        )
    if action == Action.review:
        step = current_step(state, steps)
        if step is None:
            raise TransitionRefused("invalid_transition", "No review step is open")
        if role != step.role:
            raise TransitionRefused(
                "role_not_allowed", f"Step {step.code} is decided by {step.role}", by_role=True
            )
    elif role not in roles:
        raise TransitionRefused("role_not_allowed", f"Role {role} may not {action.value}", by_role=True)

    if action == Action.review:
        if decision == Decision.rejected:
            return replace(state, status=Status.rejected)
        if decision == Decision.returned:
            return replace(state, status=Status.returned, step_index=0)
        if state.step_index + 1 < len(steps):
            return replace(state, step_index=state.step_index + 1)
        return replace(state, status=Status.approved, step_index=len(steps))
    if action == Action.resubmit:
        return replace(state, status=Status.in_review, step_index=0)
    if action == Action.start_notice:
        return replace(state, status=Status.public_notice, notice_ends_at=now + objection_window)
    if action == Action.raise_objection:
        if state.notice_ends_at is not None and now > state.notice_ends_at:
            raise TransitionRefused("objection_window_closed", "The objection window is over")
        return replace(state, open_objections=state.open_objections + 1)
    if action in (Action.uphold_objection, Action.dismiss_objection):
        if state.open_objections < 1:
            raise TransitionRefused("no_open_objection", "There is no open objection")
        remaining = state.open_objections - 1
        if action == Action.uphold_objection:
            return replace(state, status=Status.rejected, open_objections=remaining)
        return replace(state, open_objections=remaining)
    if action in (Action.admit, Action.admit_as_replacement):
        if state.notice_ends_at is not None and now < state.notice_ends_at:
            raise TransitionRefused("notice_not_over", "The public notice (公示) is still running")
        if state.open_objections:
            raise TransitionRefused("objections_open", "Objections to the notice are not resolved")
        return replace(state, status=Status.admitted)
    if action in (Action.withdraw, Action.replaced):
        return replace(state, status=Status.withdrawn)
    if action == Action.disqualify:
        return replace(state, status=Status.disqualified)
    return state  # transfer: same status, another batch
