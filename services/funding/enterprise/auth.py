from szcore.auth import Principal, Role


def can_read(principal: Principal, county_code: str, uscc: str) -> bool:
    if principal.role == Role.enterprise:
        return principal.uscc == uscc
    if principal.role == Role.provider:
        return False
    return principal.can_see_county(county_code)


def visible_county(principal: Principal) -> str | None:
    return principal.county if principal.role in (Role.county_admin, Role.county_system) else None
