"""Masking of personal data (contact names, phone numbers, ID numbers) for roles that do not need it.

Pure functions; which role sees which kind unmasked is data (`UNMASKED`), decided once for every service.
"""

import re
from collections.abc import Mapping
from enum import StrEnum
from typing import Any

from szcore.auth import Principal, Role


class Personal(StrEnum):
    name = "name"
    phone = "phone"
    id_number = "id_number"
    email = "email"


# Who needs personal data in clear: the enterprise itself and the officials who register and supervise it
# (county within its scope, checked by the read itself; the city). A provider in a signed engagement
# needs the contact to reach them; everyone else (experts, evaluators, auditors, national platform,
# county systems' bulk reads) works on the enterprise, not on people, and sees masks.
UNMASKED: Mapping[Role, frozenset[Personal]] = {
    Role.enterprise: frozenset(Personal),
    Role.city_admin: frozenset(Personal),
    Role.county_admin: frozenset(Personal),
    Role.county_system: frozenset(Personal),
    Role.provider: frozenset({Personal.name, Personal.phone, Personal.email}),
}

_MOBILE = re.compile(r"^(\+?86)?1\d{10}$")


def mask_name(value: str) -> str:
    """张三 -> 张*, 欧阳娜娜 -> 欧***; Latin names keep their first letter."""
    value = value.strip()
    if len(value) <= 1:
        return "*" * len(value)
    return value[0] + "*" * (len(value) - 1)


def mask_phone(value: str) -> str:
    """13812345678 -> 138****5678; landlines keep their last four digits."""
    digits = re.sub(r"[\s-]", "", value)
    if _MOBILE.match(digits):
        return digits[:-8] + "****" + digits[-4:]
    if len(digits) <= 4:
        return "*" * len(digits)
    return "*" * (len(digits) - 4) + digits[-4:]


def mask_id_number(value: str) -> str:
    """330106199001011234 -> 3301************34: region kept, birth date and serial hidden."""
    value = value.strip()
    if len(value) <= 6:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 6) + value[-2:]


def mask_email(value: str) -> str:
    local, at, domain = value.partition("@")
    if not at:
        return mask_name(value)
    return (local[:1] + "***") + "@" + domain


MASKERS = {
    Personal.name: mask_name,
    Personal.phone: mask_phone,
    Personal.id_number: mask_id_number,
    Personal.email: mask_email,
}


def needs(principal: Principal, kind: Personal) -> bool:
    return kind in UNMASKED.get(principal.role, frozenset())


def mask(kind: Personal, value: str | None) -> str | None:
    return None if value is None or value == "" else MASKERS[kind](value)


def mask_fields(principal: Principal, data: dict[str, Any], fields: Mapping[str, Personal]) -> dict[str, Any]:
    """A copy of `data` with each personal field masked unless the principal's role needs it."""
    masked = dict(data)
    for field, kind in fields.items():
        if field in masked and isinstance(masked[field], str) and not needs(principal, kind):
            masked[field] = mask(kind, masked[field])
    return masked
