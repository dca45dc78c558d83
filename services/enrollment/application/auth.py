from services.enrollment.application.models import Application
from services.enrollment.enterprise import auth as enterprise_auth
from szcore.auth import Principal, Role
from szcore.errors import forbidden

APPLICANT_ROLES = (Role.enterprise, Role.county_admin, Role.county_system)


def authorize_submit(principal: Principal) -> None:
    if principal.role not in APPLICANT_ROLES:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not submit applications")


def can_read(principal: Principal, application: Application) -> bool:
    return enterprise_auth.can_read(principal, application.county_code, application.uscc)
