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
    description="Feeds the dossier timeline with what assessment, matching and funding report",
)
