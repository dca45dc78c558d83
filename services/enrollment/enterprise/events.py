from collections.abc import Iterable
from datetime import datetime
from typing import Any

from google.protobuf.timestamp_pb2 import Timestamp
from shuzhuan.events.v1.enrollment_pb2 import EnterpriseRegistered, EnterpriseUpdated
from shuzhuan.events.v1.enrollment_pb2 import SizeClass as SizeClassPb

from services.enrollment.enterprise.models import DossierSource, Enterprise, SizeClass
from szcore.events import to_timestamp

SIZE_CLASS_TO_PB = {
    SizeClass.above_scale: SizeClassPb.SIZE_CLASS_ABOVE_SCALE,
    SizeClass.below_scale: SizeClassPb.SIZE_CLASS_BELOW_SCALE,
}


def registered(
    uscc: str,
    name: str,
    county_code: str,
    industry_code: str,
    size_class: SizeClass,
    registered_at: Timestamp,
    source: str,
) -> EnterpriseRegistered:
    return EnterpriseRegistered(
        uscc=uscc,
        name=name,
        county_code=county_code,
        industry_code=industry_code,
        size_class=SIZE_CLASS_TO_PB[size_class],
        registered_at=registered_at,
        source=source,
    )


def enterprise_registered(enterprise: Enterprise) -> EnterpriseRegistered:
    return registered(
        enterprise.uscc,
        enterprise.name,
        enterprise.county_code,
        enterprise.industry_code,
        enterprise.size_class,
        to_timestamp(enterprise.registered_at),
        enterprise.source.value,
    )


def registered_events(
    rows: Iterable[dict[str, Any]], registered_at: datetime, source: DossierSource
) -> list[tuple[EnterpriseRegistered, str]]:
    """(enterprise_registered of each new row, its USCC) for rows registered together: what they share
    (time, source) is converted once, not per row."""
    at, source_value = to_timestamp(registered_at), source.value
    return [
        (
            registered(
                row["uscc"],
                row["name"],
                row["county_code"],
                row["industry_code"],
                row["size_class"],
                at,
                source_value,
            ),
            row["uscc"],
        )
        for row in rows
    ]


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
