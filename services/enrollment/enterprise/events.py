from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered
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
