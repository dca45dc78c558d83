from services.assessment.enterprise.service import apply_enterprise_registered
from szcore.bus import Subscription

enterprise_copy = Subscription(
    name="assessment-enterprise-copy",
    events=[("enrollment", "EnterpriseRegistered")],
    handler=apply_enterprise_registered,
    description="Keeps the assessment service's read copy of enrolled enterprises",
)
