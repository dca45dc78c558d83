from services.enrollment.application.models import Application
from services.enrollment.enterprise import auth as enterprise_auth
from szcore.auth import Principal, Role
from szcore.errors import forbidden

APPLICANT_ROLES = (Role.enterprise, Role.county_admin, Role.county_system)


def authorize_submit(principal: Principal) -> None:
    if principal.role not in APPLICANT_ROLES:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not submit applications")


def authorize_read_one(principal: Principal) -> None:
    # Providers take part only by raising objections during the public notice; refusing before the lookup
    # keeps the answer the same whether or not the application exists.
    if principal.role is Role.provider:
        raise forbidden("role_not_allowed", "Providers do not read applications; they may raise objections")


def can_read(principal: Principal, application: Application) -> bool:
    return enterprise_auth.can_read(principal, application.county_code, application.uscc)
