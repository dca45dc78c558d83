from szcore.auth import Principal, Role
from szcore.errors import forbidden

MANAGERS = (Role.city_admin,)
READERS = (Role.city_admin, Role.auditor, Role.national_platform)


def require_manage(principal: Principal) -> None:
    if principal.role not in MANAGERS:
        raise forbidden("role_not_allowed", "Only the city manages funding sources and allocations")


def require_read(principal: Principal) -> None:
    if principal.role not in READERS:
        raise forbidden(
            "role_not_allowed", "The ledger is open to the city, auditors and the national platform"
        )
