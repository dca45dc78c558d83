from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, EnterpriseUpdated
from shuzhuan.events.v1.enrollment_pb2 import SizeClass as SizeClassPb

from services.enrollment.enterprise.models import Enterprise, SizeClass
from szcore.events import to_timestamp

SIZE_CLASS_TO_PB = {
    SizeClass.above_scale: SizeClassPb.SIZE_CLASS_ABOVE_SCALE,
    SizeClass.below_scale: SizeClassPb.SIZE_CLASS_BELOW_SCALE,
}


def enterprise_registered(enterprise: Enterprise) -> EnterpriseRegistered:
    return EnterpriseRegistered(
        uscc=enterprise.uscc,
        name=enterprise.name,
        county_code=enterprise.county_code,
        industry_code=enterprise.industry_code,
        size_class=SIZE_CLASS_TO_PB[enterprise.size_class],
        registered_at=to_timestamp(enterprise.registered_at),
        source=enterprise.source.value,
    )


def enterprise_updated(enterprise: Enterprise, changed_fields: list[str], source: str) -> EnterpriseUpdated:
    return EnterpriseUpdated(
        uscc=enterprise.uscc,
        name=enterprise.name,
        county_code=enterprise.county_code,
        industry_code=enterprise.industry_code,
        size_class=SIZE_CLASS_TO_PB[SizeClass(enterprise.size_class)],
        pilot_industry=enterprise.pilot_industry or "",
        srdi_status=enterprise.srdi_status.value,
        cloud_adopted=enterprise.cloud_adopted,
        changed_fields=changed_fields,
        source=source,
        version=enterprise.version,
        changed_at=to_timestamp(enterprise.updated_at),
    )
