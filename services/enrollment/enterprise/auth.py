from collections.abc import Iterable

from services.enrollment.enterprise.models import DossierSource
from szcore.auth import Principal, Role
from szcore.errors import FieldError, ProblemError, forbidden

REGISTRARS = (Role.city_admin, Role.county_admin, Role.county_system)
COUNTY_ROLES = (Role.county_admin, Role.county_system)
# What an enterprise may correct in its own dossier; official facts are the county's and the city's.
ENTERPRISE_EDITABLE = frozenset(
    {
        "annual_output_fen",
        "employees",
        "contact_name",
        "contact_phone",
        "contact_email",
        "officer_name",
        "officer_phone",
        "officer_email",
        "cloud_adopted",
    }
)


def authorize_register(principal: Principal, county_code: str) -> None:
    if principal.role not in REGISTRARS:
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not register enterprises")
    if not principal.can_see_county(county_code):
        raise forbidden(
            "county_forbidden",
            f"A {principal.role.value} of county {principal.county} "
            f"may not register an enterprise of county {county_code}",
        )


def require_editor(principal: Principal) -> None:
    """The role before the lookup: a role that never edits dossiers learns nothing about which exist."""
    if principal.role not in (Role.enterprise, Role.city_admin, *COUNTY_ROLES):
        raise forbidden("role_not_allowed", f"Role {principal.role.value} may not edit dossiers")


def authorize_update(principal: Principal, fields: Iterable[str], new_county: str | None) -> DossierSource:
    """The source the change is recorded under; reading rights were checked before (404 otherwise)."""
    if principal.role == Role.enterprise:
        refused = sorted(set(fields) - ENTERPRISE_EDITABLE)
        if refused:
            raise ProblemError(
                403,
                "field_not_editable",
                "Forbidden",
                f"An enterprise may not change {', '.join(refused)}",
                [
                    FieldError(f, "field_not_editable", "set by the county or city", "由区县或市级维护")
                    for f in refused
                ],
            )
        return DossierSource.enterprise
    if principal.role in COUNTY_ROLES:
        if new_county is not None and new_county != principal.county:
            raise forbidden("county_forbidden", "A county may not move an enterprise to another county")
        return DossierSource.county_push
    if principal.role == Role.city_admin:
        return DossierSource.city
    raise forbidden("role_not_allowed", f"Role {principal.role.value} may not edit dossiers")


def can_read(principal: Principal, county_code: str, uscc: str) -> bool:
    if principal.role == Role.enterprise:
        return principal.uscc == uscc
    if principal.role == Role.provider:
        # A provider reads only enterprises that engaged it; the service checks that (it needs the database).
        return False
    return principal.can_see_county(county_code)


def visible_county(principal: Principal) -> str | None:
    """County filter a list query must apply for this principal (None: all counties)."""
    if principal.role in COUNTY_ROLES:
        return principal.county
    return None
