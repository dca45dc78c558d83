from services.matching.enterprise.service import apply_enterprise_events, apply_enterprise_registered
from szcore.bus import Subscription

enterprise_copy = Subscription(
    name="matching-enterprise-copy",
    events=[("enrollment", "EnterpriseRegistered"), ("enrollment", "EnterpriseUpdated")],
    handler=apply_enterprise_registered,
    batch_handler=apply_enterprise_events,
    description="Keeps the matching service's read copy of enrolled enterprises",
)
