from shuzhuan.events.v1.matching_pb2 import ProviderKind as ProviderKindPb
from shuzhuan.events.v1.matching_pb2 import ProviderListed, ProviderStatusChanged

from services.matching.provider.models import Provider
from szcore.events import to_timestamp
from szcore.types import utcnow

KIND = {
    "integrated": ProviderKindPb.PROVIDER_KIND_INTEGRATED,
    "specialist": ProviderKindPb.PROVIDER_KIND_SPECIALIST,
    "general_contractor": ProviderKindPb.PROVIDER_KIND_GENERAL_CONTRACTOR,
}


def provider_listed(provider: Provider) -> ProviderListed:
    return ProviderListed(
        provider_id=provider.provider_id,
        uscc=provider.uscc,
        name=provider.name,
        kind=KIND[provider.kind],
        industries=provider.industries,
        counties=provider.counties,
        listed_at=to_timestamp(provider.listed_at or utcnow()),
    )


def provider_status_changed(provider: Provider, reason: str) -> ProviderStatusChanged:
    return ProviderStatusChanged(
        provider_id=provider.provider_id,
        status=provider.status,
        reason=reason,
        changed_at=to_timestamp(provider.updated_at),
    )
