from szcore.auth import Principal, Role
from szcore.errors import forbidden


def authorize_configure(principal: Principal) -> None:
    if principal.role != Role.city_admin:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not configure programmes")
