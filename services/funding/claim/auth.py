from szcore.auth import Principal, Role
from szcore.errors import forbidden


def can_read(principal: Principal, county_code: str, uscc: str) -> bool:
    if principal.role is Role.enterprise:
        return principal.uscc == uscc
    if principal.role in (Role.provider, Role.expert, Role.evaluator):
        return False
    return principal.can_see_county(county_code)


def can_submit(principal: Principal, county_code: str, uscc: str) -> bool:
    if principal.role is Role.enterprise:
        return principal.uscc == uscc
    return principal.role is Role.county_admin and principal.county == county_code


def require(allowed: bool, message: str) -> None:
    if not allowed:
        raise forbidden("role_not_allowed", message)


def scope_filters(principal: Principal) -> dict[str, str]:
    if principal.role is Role.enterprise:
        return {"uscc": principal.uscc or ""}
    if principal.role in (Role.county_admin, Role.county_system):
        return {"county_code": principal.county or ""}
    return {}


def can_list(principal: Principal) -> bool:
    return principal.role not in (Role.provider, Role.expert, Role.evaluator)


def is_city(principal: Principal) -> bool:
    return principal.role is Role.city_admin


def can_audit(principal: Principal) -> bool:
    return principal.role in (Role.auditor, Role.city_admin)
