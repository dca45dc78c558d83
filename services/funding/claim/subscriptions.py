from services.funding.claim.service import apply_pilot_status_revoked
from szcore.bus import Subscription

revocations = Subscription(
    name="funding-revocations",
    events=[("assessment", "PilotStatusRevoked")],
    handler=apply_pilot_status_revoked,
    description="回头看 revocations: withdraw open claims, claw back approved and paid ones",
)
