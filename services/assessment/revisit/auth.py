from szcore.auth import Principal, Role

READERS = (
    Role.city_admin,
    Role.evaluator,
    Role.expert,
    Role.auditor,
    Role.national_platform,
    Role.county_admin,
)
RECORDERS = (Role.evaluator, Role.expert, Role.city_admin)


def can_draw(principal: Principal) -> bool:
    return principal.role == Role.city_admin


def can_read(principal: Principal) -> bool:
    return principal.role in READERS


def can_record(principal: Principal) -> bool:
    return principal.role in RECORDERS


def county_scope(principal: Principal) -> str | None:
    return principal.county if principal.role == Role.county_admin else None
