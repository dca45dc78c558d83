"""Who may do what with assessments."""

from collections.abc import Sequence

from services.assessment.assessment.models import Assessment, EngagementCopy, ProjectCopy
from szcore.auth import Principal, Role

CITY_WIDE_READERS = (Role.city_admin, Role.evaluator, Role.expert, Role.auditor, Role.national_platform)


def evaluator_org(principal: Principal) -> str:
    """An evaluator's organisation (its provider_id claim when it has one), else its own subject."""
    return principal.provider_id or principal.subject


def can_read(principal: Principal, assessment: Assessment, engaged_usccs: Sequence[str] = ()) -> bool:
    if principal.role == Role.enterprise:
        return principal.uscc == assessment.uscc
    if principal.role == Role.provider:
        return assessment.assessor_id == principal.provider_id or assessment.uscc in engaged_usccs
    if principal.role in (Role.county_admin, Role.county_system):
        return principal.county == assessment.county_code
    return principal.role in CITY_WIDE_READERS


def may_self_assess(principal: Principal, uscc: str) -> bool:
    return principal.role == Role.enterprise and principal.uscc == uscc


def may_diagnose(principal: Principal, uscc: str, engagement: EngagementCopy | None) -> bool:
    return (
        principal.role == Role.provider
        and engagement is not None
        and engagement.kind == "diagnosis"
        and engagement.cancelled_at is None
        and engagement.uscc == uscc
        and engagement.provider_id == principal.provider_id
    )


def delivered(principal: Principal, project: ProjectCopy) -> bool:
    return principal.provider_id is not None and principal.provider_id == project.provider_id


def may_evaluate(principal: Principal) -> bool:
    return principal.role == Role.evaluator


def is_author(principal: Principal, assessment: Assessment) -> bool:
    """Enterprise and provider staff share their organisation's drafts; an evaluation is personal,
    because its sign-off must come from someone else."""
    if principal.role.value != assessment.assessor_role:
        return False
    if principal.role == Role.enterprise:
        return principal.uscc == assessment.uscc
    if principal.role == Role.provider:
        return principal.provider_id == assessment.assessor_id
    return principal.subject == assessment.created_by


def may_read_queue(principal: Principal) -> bool:
    return principal.role in (Role.evaluator, Role.city_admin, Role.county_admin, Role.expert, Role.auditor)
