"""Personal data: the shared masking helper (pure), the dossier as each role sees it, and logs that never
carry a bearer token, JWT, secret, password, phone number or ID number."""

import io
import logging
import random
from collections.abc import AsyncIterator, Callable

import httpx
import pytest
from sqlalchemy.ext.asyncio import AsyncSession

from services.enrollment.app import create_app
from services.enrollment.programme.service import seed
from szcore.auth import Principal, Role
from szcore.logging import JsonFormatter, redact
from szcore.masking import UNMASKED, Personal, mask, mask_fields, mask_id_number, mask_name, mask_phone
from szcore.settings import get_settings
from tests.access.enterprises import register_random
from tests.support.fixtures import Tokens, asgi_client, rolled_back_session

PERSONAL_FIELDS = ("contact_name", "contact_phone", "officer_name", "officer_phone")


class TestMaskingFunctions:
    @pytest.mark.parametrize(
        ("value", "masked"),
        [("张三", "张*"), ("欧阳娜娜", "欧***"), ("王", "*"), ("", "")],
    )
    def test_name(self, value: str, masked: str) -> None:
        assert mask_name(value) == masked

    @pytest.mark.parametrize(
        ("value", "masked"),
        [
            ("13812345678", "138****5678"),
            ("138 1234 5678", "138****5678"),
            ("+8613812345678", "+86138****5678"),
            ("0579-88888888", "********8888"),
            ("110", "***"),
        ],
    )
    def test_phone(self, value: str, masked: str) -> None:
        assert mask_phone(value) == masked

    def test_id_number_keeps_region_and_check_only(self) -> None:
        assert mask_id_number("33010619900101123X") == "3301************3X"
        assert mask_id_number("12345") == "*****"

    def test_none_and_empty_pass_through(self) -> None:
        assert mask(Personal.phone, None) is None and mask(Personal.name, "") is None

    def test_fields_masked_by_role_table(self) -> None:
        data = {"contact_name": "张三", "contact_phone": "13812345678", "employees": 3}
        fields = {"contact_name": Personal.name, "contact_phone": Personal.phone}
        for role in Role:
            principal = Principal(subject="s", role=role)
            shown = mask_fields(principal, data, fields)
            clear = role in UNMASKED
            assert (shown["contact_phone"] == "13812345678") is clear
            assert shown["employees"] == 3

    def test_masked_output_never_holds_the_value(self) -> None:
        rng = random.Random(5)
        for _ in range(200):
            phone = "1" + "".join(rng.choice("0123456789") for _ in range(10))
            assert phone not in mask_phone(phone) and phone[3:7] not in mask_phone(phone)[3:7]


@pytest.fixture
async def session(migrated_engines: Callable) -> AsyncIterator[AsyncSession]:  # type: ignore[type-arg]
    engine = await migrated_engines("enrollment")
    async for session in rolled_back_session(engine):
        await seed(session, Principal(subject="city-test", role=Role.city_admin))
        yield session


@pytest.fixture
async def client(session: AsyncSession) -> AsyncIterator[httpx.AsyncClient]:
    async with asgi_client(create_app(), session) as client:
        yield client


class TestDossierMasking:
    async def test_each_role_sees_personal_data_as_the_table_says(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        [enterprise] = await register_random(client, tokens, random.Random(11), 1)
        scopes = {
            Role.enterprise: {"uscc": enterprise.uscc},
            Role.county_admin: {"county": enterprise.county},
            Role.county_system: {"county": enterprise.county},
        }
        for role in (
            Role.city_admin,
            *scopes,
            Role.expert,
            Role.evaluator,
            Role.auditor,
            Role.national_platform,
        ):
            headers = tokens.headers(role, **scopes.get(role, {}))
            read = (await client.get(f"/enterprises/{enterprise.uscc}", headers=headers)).json()
            listed = (
                await client.get("/enterprises", params={"uscc": enterprise.uscc}, headers=headers)
            ).json()
            history = (await client.get(f"/enterprises/{enterprise.uscc}/history", headers=headers)).json()
            first_change = history["items"][0]["changes"]
            for shown in (read, listed["items"][0]):
                if role in UNMASKED:
                    assert shown["contact_phone"] == enterprise.contact_phone
                    assert shown["contact_name"] == enterprise.contact_name
                else:
                    assert shown["contact_phone"] == mask_phone(enterprise.contact_phone), role
                    assert shown["contact_name"] == mask_name(enterprise.contact_name), role
                    assert enterprise.contact_phone not in str(first_change), role


class TestLogsCarryNoSecrets:
    async def test_a_flow_with_tokens_and_personal_data_logs_none_of_them(
        self, client: httpx.AsyncClient, tokens: Tokens
    ) -> None:
        buffer = io.StringIO()
        handler = logging.StreamHandler(buffer)
        handler.setFormatter(JsonFormatter("access-test"))
        root = logging.getLogger()
        level = root.level
        root.addHandler(handler)
        root.setLevel(logging.DEBUG)
        id_number = "33010619900101123X"
        sent_tokens = []
        try:
            [enterprise] = await register_random(client, tokens, random.Random(3), 1)
            own = tokens(Role.enterprise, uscc=enterprise.uscc)
            sent_tokens.append(own)
            headers = {"authorization": f"Bearer {own}"}
            await client.patch(
                f"/enterprises/{enterprise.uscc}", json={"contact_phone": "13900001111"}, headers=headers
            )
            await client.get(f"/enterprises/{enterprise.uscc}", headers=headers)
            await client.get("/enterprises", headers={"authorization": f"Bearer {own}x"})  # a refused token
            await client.post(
                "/enterprises",
                json={"uscc": "bad", "contact_phone": "13900002222", "contact_name": id_number},
                headers=headers,
            )
            logger = logging.getLogger("services.access")
            logger.warning("login failed for %s with password=hunter2 token %s", "13900003333", own)
            logger.info("legal representative id %s", id_number, extra={"authorization": f"Bearer {own}"})
            try:
                raise ValueError(f"Bearer {own} rejected for {id_number}")
            except ValueError:
                logger.exception("upstream said")
        finally:
            root.removeHandler(handler)
            root.setLevel(level)
        text = buffer.getvalue()
        assert text, "nothing was logged"
        secrets = [
            *sent_tokens,
            get_settings().auth_dev_secret,
            "hunter2",
            id_number,
            "13900001111",
            "13900002222",
            "13900003333",
            enterprise.contact_phone,
        ]
        for secret in secrets:
            assert secret not in text, secret
        assert "eyJ" not in text

    def test_redaction_keeps_ordinary_identifiers(self) -> None:
        line = "uscc 91410300MA44FFTP7K claim 3f2a amount_fen 150000 request r-1"
        assert redact(line) == line
