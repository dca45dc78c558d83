"""Randomised enterprises over several counties, registered through the enrollment API."""

import random
from dataclasses import dataclass

import httpx

from szcore.auth import Role
from tests.support.fixtures import Tokens, unique_uscc

# 金华 power-tools counties (one programme, one industry), so any of them may hold any of the enterprises.
COUNTIES = ("330702", "330703", "330784", "330723")
SURNAMES = "张王李赵刘陈杨黄周吴"


@dataclass(frozen=True)
class Registered:
    uscc: str
    county: str
    contact_name: str
    contact_phone: str


def random_phone(rng: random.Random) -> str:
    return "1" + rng.choice("3589") + "".join(rng.choice("0123456789") for _ in range(9))


def body(enterprise: Registered) -> dict[str, object]:
    return {
        "uscc": enterprise.uscc,
        "name": f"访问控制测试{enterprise.uscc[-6:]}有限公司",
        "county_code": enterprise.county,
        "industry_code": "C3465",
        "size_class": "above_scale",
        "programme_id": "jinhua-2024",
        "srdi_status": "none",
        "cloud_adopted": False,
        "contact_name": enterprise.contact_name,
        "contact_phone": enterprise.contact_phone,
        "officer_name": enterprise.contact_name,
        "officer_phone": enterprise.contact_phone,
    }


async def register_random(
    client: httpx.AsyncClient, tokens: Tokens, rng: random.Random, count: int
) -> list[Registered]:
    registered = []
    for _ in range(count):
        enterprise = Registered(
            uscc=unique_uscc(),
            county=rng.choice(COUNTIES),
            contact_name=rng.choice(SURNAMES) + rng.choice("伟芳娜敏静强磊") + rng.choice(["", "军"]),
            contact_phone=random_phone(rng),
        )
        response = await client.post(
            "/enterprises", json=body(enterprise), headers=tokens.headers(Role.city_admin)
        )
        assert response.status_code == 201, response.text
        registered.append(enterprise)
    return registered
