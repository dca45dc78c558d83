from szcore.auth import Principal, Role
from szcore.errors import forbidden

CITY_WIDE = (Role.city_admin, Role.auditor, Role.national_platform)


def county_scope(principal: Principal, scope: str) -> str | None:
    """City-wide readers see every county. A county official sees its own county, except for the
    ranking (晾晒), whose per-county aggregates the city publishes to every county."""
    if principal.role in CITY_WIDE:
        return None
    if principal.role is Role.county_admin:
        return None if scope == "ranking" else principal.county or ""
    raise forbidden(
        "role_not_allowed", "Performance figures are for the city, counties, auditors and the ministry"
    )
