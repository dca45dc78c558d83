from szcore.auth import Principal, Role
from szcore.errors import forbidden


def require_publish(principal: Principal) -> None:
    if principal.role is not Role.city_admin:
        raise forbidden("role_not_allowed", "Only the city publishes policies")


def require_simulate(principal: Principal) -> None:
    if principal.role not in (Role.city_admin, Role.auditor):
        raise forbidden("role_not_allowed", "Programme simulations are for the city")
