from services.assessment.enterprise.service import apply_enterprise_registered, apply_enterprise_updated
from szcore.bus import Subscription

enterprise_copy = Subscription(
    name="assessment-enterprise-copy",
    events=[("enrollment", "EnterpriseRegistered")],
    handler=apply_enterprise_registered,
    description="Keeps the assessment service's read copy of enrolled enterprises",
)

enterprise_updates = Subscription(
    name="assessment-enterprise-updates",
    events=[("enrollment", "EnterpriseUpdated")],
    handler=apply_enterprise_updated,
    description="Keeps the read copy's county, industry and size class current",
)
