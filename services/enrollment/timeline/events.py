from services.enrollment.timeline.service import apply_event, apply_events
from szcore.bus import Subscription

PRODUCERS = {
    "AssessmentSubmitted": "assessment",
    "AcceptanceEvaluated": "assessment",
    "PilotStatusRevoked": "assessment",
    "EngagementCreated": "matching",
    "EngagementCancelled": "matching",
    "EngagementClosed": "matching",
    "ContractSigned": "matching",
    "ProjectCompleted": "matching",
    "ClaimApproved": "funding",
    "PaymentDisbursed": "funding",
    "RecoveryRaised": "funding",
}

timeline = Subscription(
    name="enrollment-timeline",
    events=[(producer, event_type) for event_type, producer in PRODUCERS.items()],
    handler=apply_event,
    batch_handler=apply_events,
    # A history that people read: a tenth of a second more lag is not seen, and while events pour in (an
    # approval round) it gathers them into batches several times larger, at a fraction of the CPU per event.
    linger_seconds=0.1,
    description="Feeds the dossier timeline with what assessment, matching and funding report",
)
