from services.funding.enterprise.service import apply_enterprise_registered
from szcore.bus import Subscription

enterprise_copy = Subscription(
    name="funding-enterprise-copy",
    events=[("enrollment", "EnterpriseRegistered")],
    handler=apply_enterprise_registered,
    description="Keeps the funding service's read copy of enrolled enterprises",
)
