from services.matching.project.models import Engagement
from szcore.auth import Principal, Role
from szcore.errors import forbidden

CITY_WIDE = (Role.city_admin, Role.auditor, Role.national_platform, Role.evaluator)
READERS = (*CITY_WIDE, Role.county_admin, Role.county_system, Role.enterprise, Role.provider)


def can_read(principal: Principal, engagement: Engagement) -> bool:
    if principal.is_role(*CITY_WIDE):
        return True
    if principal.is_role(Role.county_admin, Role.county_system):
        return principal.county == engagement.county_code
    if principal.is_role(Role.enterprise):
        return principal.uscc == engagement.uscc
    if principal.is_role(Role.provider):
        return principal.provider_id == engagement.provider_id
    return False


def is_enterprise_of(principal: Principal, engagement: Engagement) -> bool:
    return principal.is_role(Role.enterprise) and principal.uscc == engagement.uscc


def is_provider_of(principal: Principal, engagement: Engagement) -> bool:
    return principal.is_role(Role.provider) and principal.provider_id == engagement.provider_id


def require(principal: Principal, *roles: Role) -> None:
    """The role check, before any lookup: a refused role must not learn whether a record exists."""
    if not principal.is_role(*roles):
        raise forbidden(
            "role_not_allowed", f"This needs one of the roles {', '.join(r.value for r in roles)}"
        )
