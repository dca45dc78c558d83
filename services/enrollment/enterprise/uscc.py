"""统一社会信用代码 (USCC) check per GB 32100-2015."""

import re
from operator import getitem

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
REGISTRATION_AUTHORITIES = set("123456789ABCDEFGNY")
ALLOWED = frozenset(ALPHABET)
VALUES = {char: index for index, char in enumerate(ALPHABET)}
# Per position, each character's value times the position's weight: one lookup per character.
WEIGHTED = tuple({char: VALUES[char] * weight for char in ALPHABET} for weight in WEIGHTS)
# The shape every check below but the check digit asks for, tested in one go: most codes pass it.
WELL_FORMED = re.compile(
    rf"[{''.join(sorted(REGISTRATION_AUTHORITIES))}][{ALPHABET}][0-9]{{6}}[{ALPHABET}]{{10}}"
)


def check_digit(first17: str) -> str:
    if len(first17) != len(WEIGHTS):
        raise ValueError("a USCC's check digit is computed from its first 17 characters")
    # map() rather than a generator: this runs once per record of a bulk push.
    try:
        total = sum(map(getitem, WEIGHTED, first17))
    except KeyError as exc:
        raise ValueError(f"{exc.args[0]!r} is not a USCC character") from None
    return ALPHABET[(31 - total % 31) % 31]


def uscc_error(value: str) -> str | None:
    """None when valid, else the reason in English."""
    if WELL_FORMED.fullmatch(value):
        expected = check_digit(value[:17])
        return None if value[17] == expected else f"check digit is {value[17]}, expected {expected}"
    if len(value) != 18:
        return "must be 18 characters"
    bad = sorted(set(value) - ALLOWED)
    if bad:
        return f"contains characters not allowed by GB 32100-2015: {''.join(bad)}"
    if value[0] not in REGISTRATION_AUTHORITIES:
        return "first character is not a registration authority code"
    if not value[2:8].isdigit():
        return "characters 3-8 must be the administrative division code"
    expected = check_digit(value[:17])
    if value[17] != expected:
        return f"check digit is {value[17]}, expected {expected}"
    return None


def normalize(value: str) -> str:
    return value.strip().upper()
