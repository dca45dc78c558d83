from services.assessment.revisit.service import apply_enterprise_admitted
from szcore.bus import Subscription

admissions = Subscription(
    name="assessment-admissions",
    events=[("enrollment", "EnterpriseAdmitted")],
    handler=apply_enterprise_admitted,
    description="Which batch each enterprise was admitted into (revisit draws per batch)",
)
