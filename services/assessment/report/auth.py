from szcore.auth import Principal, Role

PROGRAMME_READERS = (Role.city_admin, Role.county_admin, Role.auditor, Role.national_platform, Role.expert)


def can_read_programme(principal: Principal) -> bool:
    return principal.role in PROGRAMME_READERS


def county_scope(principal: Principal) -> str | None:
    return principal.county if principal.role == Role.county_admin else None
