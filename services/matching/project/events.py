from services.matching.project.service import apply_acceptance
from szcore.bus import Subscription

acceptances = Subscription(
    name="matching-acceptances",
    events=[("assessment", "AcceptanceEvaluated")],
    handler=apply_acceptance,
    description="Records the certified level on the transformation project it evaluated",
)
