from shuzhuan.events.v1.enrollment_pb2 import (
    ApplicationReviewed,
    ApplicationSubmitted,
    EnterpriseAdmitted,
    EnterpriseDisqualified,
    EnterpriseTransferred,
    EnterpriseWithdrawn,
)

from services.enrollment.application.models import Application
from szcore.events import to_timestamp


def application_submitted(application: Application) -> ApplicationSubmitted:
    return ApplicationSubmitted(
        application_id=application.id,
        uscc=application.uscc,
        programme_id=application.programme_id,
        batch_id=application.batch_id,
        county_code=application.county_code,
        submitted_at=to_timestamp(application.updated_at),
        submitted_by_county=application.submitted_by_county,
    )


def application_reviewed(
    application: Application, step: str, decision: str, role: str
) -> ApplicationReviewed:
    return ApplicationReviewed(
        application_id=application.id,
        uscc=application.uscc,
        step=step,
        decision=decision,
        reviewer_role=role,
        status_after=application.status.value,
        reviewed_at=to_timestamp(application.updated_at),
    )


def enterprise_admitted(
    application: Application, batch_number: int, pilot_industry: str
) -> EnterpriseAdmitted:
    return EnterpriseAdmitted(
        application_id=application.id,
        uscc=application.uscc,
        programme_id=application.programme_id,
        batch_id=application.batch_id,
        batch_number=batch_number,
        county_code=application.county_code,
        pilot_industry=pilot_industry,
        admitted_at=to_timestamp(application.updated_at),
    )


def enterprise_withdrawn(
    application: Application, reason: str, replaced_by_uscc: str = ""
) -> EnterpriseWithdrawn:
    return EnterpriseWithdrawn(
        application_id=application.id,
        uscc=application.uscc,
        batch_id=application.batch_id,
        reason=reason,
        replaced_by_uscc=replaced_by_uscc,
        withdrawn_at=to_timestamp(application.updated_at),
    )


def enterprise_disqualified(application: Application, reason: str) -> EnterpriseDisqualified:
    return EnterpriseDisqualified(
        application_id=application.id,
        uscc=application.uscc,
        batch_id=application.batch_id,
        reason=reason,
        disqualified_at=to_timestamp(application.updated_at),
    )


def enterprise_transferred(application: Application, from_batch_id: str) -> EnterpriseTransferred:
    return EnterpriseTransferred(
        application_id=application.id,
        uscc=application.uscc,
        from_batch_id=from_batch_id,
        to_batch_id=application.batch_id,
        transferred_at=to_timestamp(application.updated_at),
    )
