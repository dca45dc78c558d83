from szcore.auth import Principal, Role


def can_load(principal: Principal) -> bool:
    return principal.role == Role.city_admin
