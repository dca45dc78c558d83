from services.assessment.enterprise.service import (
    apply_enterprise_registered,
    apply_enterprise_registered_batch,
    apply_enterprise_updated,
    apply_enterprise_updated_batch,
)
from szcore.bus import Subscription

enterprise_copy = Subscription(
    name="assessment-enterprise-copy",
    events=[("enrollment", "EnterpriseRegistered")],
    handler=apply_enterprise_registered,
    batch_handler=apply_enterprise_registered_batch,
    description="Keeps the assessment service's read copy of enrolled enterprises",
)

enterprise_updates = Subscription(
    name="assessment-enterprise-updates",
    events=[("enrollment", "EnterpriseUpdated")],
    handler=apply_enterprise_updated,
    batch_handler=apply_enterprise_updated_batch,
    description="Keeps the read copy's county, industry and size class current",
)
