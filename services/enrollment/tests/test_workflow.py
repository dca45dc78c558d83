from datetime import UTC, datetime, timedelta

import pytest

from services.enrollment.application.workflow import (
    Action,
    Decision,
    State,
    Status,
    Step,
    TransitionRefused,
    may_ever,
    submitted,
    transition,
)

NOW = datetime(2026, 3, 1, tzinfo=UTC)
STEPS = [
    Step("county_review", "county_admin"),
    Step("expert_review", "expert"),
    Step("city_review", "city_admin"),
]
WINDOW = timedelta(days=5)


def run(state: State, action: Action, role: str, **kwargs: object) -> State:
    kwargs.setdefault("now", NOW)
    return transition(state, action, role, STEPS, objection_window=WINDOW, **kwargs)  # type: ignore[arg-type]


def approved() -> State:
    state = submitted()
    for step in STEPS:
        state = run(state, Action.review, step.role, decision=Decision.approved)
    return state


def refused(state: State, action: Action, role: str, code: str, **kwargs: object) -> TransitionRefused:
    with pytest.raises(TransitionRefused) as info:
        run(state, action, role, **kwargs)
    assert info.value.code == code
    return info.value


class TestReviewSteps:
    def test_each_step_in_order_then_approved(self) -> None:
        state = submitted()
        state = run(state, Action.review, "county_admin", decision=Decision.approved)
        assert (state.status, state.step_index) == (Status.in_review, 1)
        state = run(state, Action.review, "expert", decision=Decision.approved)
        state = run(state, Action.review, "city_admin", decision=Decision.approved)
        assert state.status == Status.approved

    def test_a_city_without_expert_review(self) -> None:
        steps = [Step("county_review", "county_admin"), Step("city_review", "city_admin")]
        state = transition(
            submitted(), Action.review, "county_admin", steps, now=NOW, decision=Decision.approved
        )
        state = transition(state, Action.review, "city_admin", steps, now=NOW, decision=Decision.approved)
        assert state.status == Status.approved

    def test_wrong_role_for_the_step(self) -> None:
        error = refused(
            submitted(), Action.review, "city_admin", "role_not_allowed", decision=Decision.approved
        )
        assert error.by_role

    def test_rejected_is_terminal(self) -> None:
        state = run(submitted(), Action.review, "county_admin", decision=Decision.rejected)
        assert state.status == Status.rejected
        for action, role in [
            (Action.review, "county_admin"),
            (Action.withdraw, "enterprise"),
            (Action.resubmit, "enterprise"),
        ]:
            refused(state, action, role, "invalid_transition", decision=Decision.approved)

    def test_returned_then_resubmitted_starts_over(self) -> None:
        state = run(submitted(), Action.review, "county_admin", decision=Decision.approved)
        state = run(state, Action.review, "expert", decision=Decision.returned)
        assert state.status == Status.returned
        refused(state, Action.resubmit, "city_admin", "role_not_allowed")
        state = run(state, Action.resubmit, "enterprise")
        assert (state.status, state.step_index) == (Status.in_review, 0)


class TestNoticeAndAdmission:
    def test_notice_window_then_admit(self) -> None:
        state = run(approved(), Action.start_notice, "city_admin")
        assert state.status == Status.public_notice and state.notice_ends_at == NOW + WINDOW
        refused(state, Action.admit, "city_admin", "notice_not_over", now=NOW + timedelta(days=4))
        refused(state, Action.admit, "county_admin", "role_not_allowed", now=NOW + WINDOW)
        assert run(state, Action.admit, "city_admin", now=NOW + WINDOW).status == Status.admitted

    def test_notice_only_after_approval(self) -> None:
        refused(submitted(), Action.start_notice, "city_admin", "invalid_transition")
        refused(approved(), Action.admit, "city_admin", "invalid_transition")

    def test_open_objection_blocks_admission_until_dismissed(self) -> None:
        state = run(run(approved(), Action.start_notice, "city_admin"), Action.raise_objection, "enterprise")
        assert state.open_objections == 1
        refused(state, Action.admit, "city_admin", "objections_open", now=NOW + WINDOW)
        state = run(state, Action.dismiss_objection, "city_admin")
        assert run(state, Action.admit, "city_admin", now=NOW + WINDOW).status == Status.admitted

    def test_upheld_objection_rejects(self) -> None:
        state = run(run(approved(), Action.start_notice, "city_admin"), Action.raise_objection, "expert")
        assert run(state, Action.uphold_objection, "city_admin").status == Status.rejected

    def test_objection_after_the_window(self) -> None:
        state = run(approved(), Action.start_notice, "city_admin")
        refused(
            state,
            Action.raise_objection,
            "enterprise",
            "objection_window_closed",
            now=NOW + WINDOW + timedelta(seconds=1),
        )

    def test_resolving_without_objection(self) -> None:
        state = run(approved(), Action.start_notice, "city_admin")
        refused(state, Action.dismiss_objection, "city_admin", "no_open_objection")


class TestAfterAdmission:
    def admitted(self) -> State:
        return run(
            run(approved(), Action.start_notice, "city_admin"), Action.admit, "city_admin", now=NOW + WINDOW
        )

    @pytest.mark.parametrize("role", ["enterprise", "county_admin", "county_system", "city_admin"])
    def test_withdraw_by_applicant_or_city(self, role: str) -> None:
        assert run(self.admitted(), Action.withdraw, role).status == Status.withdrawn

    @pytest.mark.parametrize("role", ["expert", "provider", "auditor"])
    def test_withdraw_by_others_refused(self, role: str) -> None:
        refused(self.admitted(), Action.withdraw, role, "role_not_allowed")

    def test_disqualify_only_by_city_and_not_while_in_review(self) -> None:
        assert run(self.admitted(), Action.disqualify, "city_admin").status == Status.disqualified
        refused(self.admitted(), Action.disqualify, "county_admin", "role_not_allowed")
        refused(submitted(), Action.disqualify, "city_admin", "invalid_transition")

    def test_transfer_keeps_status(self) -> None:
        assert run(self.admitted(), Action.transfer, "city_admin").status == Status.admitted
        withdrawn = run(self.admitted(), Action.withdraw, "enterprise")
        refused(withdrawn, Action.transfer, "city_admin", "invalid_transition")

    def test_only_an_admitted_place_is_replaced(self) -> None:
        assert run(self.admitted(), Action.replaced, "city_admin").status == Status.withdrawn
        refused(approved(), Action.replaced, "city_admin", "invalid_transition")


class TestRoleBeforeLookup:
    """`may_ever` lets the service refuse a role before it looks the application up."""

    @pytest.mark.parametrize(
        "role", ["provider", "evaluator", "auditor", "national_platform", "county_system"]
    )
    def test_roles_no_step_names_never_review(self, role: str) -> None:
        assert not may_ever(Action.review, role)

    @pytest.mark.parametrize("role", ["county_admin", "city_admin", "expert"])
    def test_step_roles_may_review(self, role: str) -> None:
        assert may_ever(Action.review, role)

    def test_fixed_roles_come_from_the_rules(self) -> None:
        assert may_ever(Action.admit, "city_admin") and not may_ever(Action.admit, "county_admin")
        assert may_ever(Action.raise_objection, "provider") and not may_ever(
            Action.raise_objection, "evaluator"
        )
