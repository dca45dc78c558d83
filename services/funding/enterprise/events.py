from services.funding.enterprise import service
from szcore.bus import Subscription

enterprise_copy = Subscription(
    name="funding-enterprise-copy",
    events=[
        ("enrollment", "EnterpriseRegistered"),
        ("enrollment", "EnterpriseUpdated"),
        ("enrollment", "EnterpriseAdmitted"),
    ],
    handler=service.apply_enterprise_event,
    batch_handler=service.apply_enterprise_events,
    description="Keeps the funding service's read copy of enrolled enterprises",
)

designation_copy = Subscription(
    name="funding-designations",
    events=[("enrollment", "DesignationAwarded")],
    handler=service.apply_designation_awarded,
    description="Designations (showcase, chain case, ...) that award lines need",
)

acceptance_copy = Subscription(
    name="funding-acceptances",
    events=[("assessment", "AcceptanceEvaluated")],
    handler=service.apply_acceptance_evaluated,
    description="Certified levels after acceptance: what claims are computed from",
)

contract_copy = Subscription(
    name="funding-contracts",
    events=[("matching", "ContractSigned")],
    handler=service.apply_contract_signed,
    description="Signed contracts: project dates, contracted provider, budget lines for claim checks",
)

provider_copy = Subscription(
    name="funding-providers",
    events=[("matching", "ProviderListed")],
    handler=service.apply_provider_listed,
    description="Providers' USCCs, to check that invoices are paid to the contracted provider",
)
