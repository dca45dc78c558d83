from services.matching.activity.models import Activity
from szcore.auth import Principal, Role

OFFICIALS = (Role.city_admin, Role.county_admin, Role.auditor, Role.national_platform)


def can_read(principal: Principal, activity: Activity) -> bool:
    if principal.is_role(Role.county_admin, Role.county_system):
        return activity.county_code in (None, principal.county)
    return True


def can_organise(principal: Principal, county_code: str | None) -> bool:
    if principal.is_role(Role.city_admin):
        return True
    return (
        principal.is_role(Role.county_admin) and county_code is not None and principal.county == county_code
    )
