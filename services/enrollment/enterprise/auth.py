from szcore.auth import Principal, Role
from szcore.errors import forbidden

REGISTRARS = (Role.city_admin, Role.county_admin, Role.county_system)


def authorize_register(principal: Principal, county_code: str) -> None:
    if principal.role not in REGISTRARS:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not register enterprises")
    if not principal.can_see_county(county_code):
        raise forbidden(
            "county_forbidden",
            f"A {principal.role.value} of county {principal.county} "
            f"may not register an enterprise of county {county_code}",
        )


def can_read(principal: Principal, county_code: str, uscc: str) -> bool:
    if principal.role == Role.enterprise:
        return principal.uscc == uscc
    if principal.role == Role.provider:
        # Providers see enterprises only through engagements (matching service); not in the dossier yet.
        return False
    return principal.can_see_county(county_code)


def visible_county(principal: Principal) -> str | None:
    """County filter a list query must apply for this principal (None: all counties)."""
    if principal.role in (Role.county_admin, Role.county_system):
        return principal.county
    return None
