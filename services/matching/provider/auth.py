from services.matching.provider.models import ACTIVE, Provider
from szcore.auth import Principal, Role
from szcore.errors import forbidden

OFFICIALS = (Role.city_admin, Role.county_admin, Role.expert, Role.auditor, Role.national_platform)


def can_read(principal: Principal, provider: Provider) -> bool:
    if principal.is_role(*OFFICIALS):
        return True
    if principal.is_role(Role.provider) and principal.provider_id == provider.provider_id:
        return True
    # Everyone else sees the public roster only.
    return provider.status in ACTIVE


def is_self(principal: Principal, provider_id: str) -> bool:
    return principal.is_role(Role.provider) and principal.provider_id == provider_id


def require(principal: Principal, *roles: Role) -> None:
    if not principal.is_role(*roles):
        raise forbidden(
            "role_not_allowed", f"This needs one of the roles {', '.join(r.value for r in roles)}"
        )


def can_read_ratings(principal: Principal, provider_id: str) -> bool:
    return is_self(principal, provider_id) or principal.is_role(
        Role.city_admin, Role.auditor, Role.county_admin
    )
