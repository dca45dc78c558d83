from enum import StrEnum
from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

SERVICES = ("enrollment", "assessment", "funding", "matching")
PROCESSES = ("gateway", *SERVICES)
DEFAULT_PORTS = {"gateway": 8000, "enrollment": 8001, "assessment": 8002, "funding": 8003, "matching": 8004}


class Environment(StrEnum):
    dev = "dev"
    test = "test"
    prod = "prod"


class Settings(BaseSettings):
    """The one settings object. Every field is read from an ``SZ_``-prefixed environment variable."""

    model_config = SettingsConfigDict(env_prefix="SZ_", extra="ignore")

    env: Environment = Environment.dev
    log_level: str = "INFO"
    data_dir: Path = Path(".data")

    nats_url: str = "nats://127.0.0.1:4222"
    # Prefix of subjects, streams and durable names so that several platforms (or test runs) share one NATS.
    events_namespace: str = "sz"
    stream_replicas: int = 1
    max_deliveries: int = 5
    outbox_batch_size: int = 1000
    outbox_poll_seconds: float = 1.0
    # inline: each service process relays its own outbox; separate: `python -m ops relay <service>` does,
    # woken by PostgreSQL NOTIFY, so that publishing never waits behind the service's requests.
    outbox_relay: Literal["inline", "separate"] = "inline"

    enrollment_database_url: str | None = None
    assessment_database_url: str | None = None
    funding_database_url: str | None = None
    matching_database_url: str | None = None
    # The gateway's own database: national-platform sync state (report outbox, reconciliation runs).
    gateway_database_url: str | None = None
    database_pool_size: int = 10
    # Claim approvals a funding process decides in one transaction at most (those queued while the
    # previous batch was decided); bounds the batch's lock-holding time and memory.
    approval_batch_max: int = Field(default=64, ge=1)

    gateway_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['gateway']}"
    enrollment_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['enrollment']}"
    assessment_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['assessment']}"
    funding_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['funding']}"
    matching_url: str = f"http://127.0.0.1:{DEFAULT_PORTS['matching']}"
    upstream_timeout_seconds: float = 10.0

    auth_issuer: str = "shuzhuan"
    auth_audience: str = "shuzhuan"
    # JWKS document (a file path) holding the public keys that sign bearer tokens.
    auth_jwks_file: Path | None = None
    # HS256 shared secret: accepted only when env is dev or test.
    auth_dev_secret: str | None = Field(default="shuzhuan-dev-secret-change-me-in-production-0123")
    auth_leeway_seconds: int = 30
    # Longest accepted token lifetime (exp - iat): a correctly signed token valid for years is refused.
    auth_max_token_lifetime_seconds: int = 24 * 3600

    max_request_bytes: int = 50 * 1024 * 1024
    # OTLP/HTTP collector base URL, e.g. http://otel-collector:4318; traces are not exported when unset.
    otel_exporter_otlp_endpoint: str | None = None

    # Gateway limits. persisted_queries: off (any query), allow (hashes may stand in for registered
    # queries), safelist (only registered operations run).
    gateway_max_request_bytes: int = 1024 * 1024
    gateway_max_depth: int = 12
    gateway_max_aliases: int = 30
    gateway_max_tokens: int = 4000
    gateway_max_page_size: int = 100
    gateway_rate_limit_per_minute: int = 600
    gateway_persisted_queries: str = "allow"
    gateway_operations_dir: Path | None = None

    # Machine clients (county systems, the national platform): hashed secrets, see szcore/credentials.py.
    # Default: <data_dir>/clients.json.
    clients_file: Path | None = None
    # PEM private key the gateway signs client-credentials tokens with; its public key must be in the JWKS
    # file (the kid is taken from there). Unset: the dev secret (dev/test only).
    auth_signing_key_file: Path | None = None
    client_token_ttl_seconds: int = 900
    # Failed client authentications (bad secret or API key) per client id and per address a minute.
    client_auth_failures_per_minute: int = 10
    # County pushes through the gateway: body cap and how long the gateway waits for enrollment.
    county_push_max_bytes: int = 50 * 1024 * 1024
    county_push_timeout_seconds: float = 600.0

    # Push to the national platform (gateway/sync): an empty URL disables pushing; the bearer token is read
    # from a secret file. Retries back off exponentially with jitter; the breaker opens after N failures.
    national_push_url: str = ""
    national_push_token_file: Path | None = None
    national_push_timeout_seconds: float = 15.0
    national_push_poll_seconds: float = 5.0
    national_push_max_attempts: int = 20
    national_push_backoff_base_seconds: float = 5.0
    national_push_backoff_max_seconds: float = 3600.0
    national_breaker_failures: int = 5
    national_breaker_cooldown_seconds: float = 60.0
    # Seconds between automatic reconciliation runs (0: only on demand).
    national_reconcile_interval_seconds: float = 86400.0
    # Scheduled generation of due reports (gateway/sync/scheduler.py); never runs without national_push_url.
    # The previous month's reports are generated from this day of the month on (late entries settle first).
    national_schedule_enabled: bool = False
    national_schedule_day_of_month: int = Field(default=3, ge=1, le=28)
    national_schedule_interval_seconds: float = 3600.0
    # Administrative division code of the city, sent with every report.
    national_city_code: str = ""

    # Pull API for the national platform (/national/v1): Ed25519 private key (PEM, PKCS#8) that signs every
    # response; unset in dev/test: generated under <data_dir>/keys/. Requests a minute per client.
    national_signing_key_file: Path | None = None
    national_rate_limit_per_minute: int = 600

    def database_url(self, service: str) -> str:
        if service not in (*SERVICES, "gateway"):
            raise ValueError(f"unknown service {service!r}")
        url = getattr(self, f"{service}_database_url")
        if url:
            return str(url)
        return f"sqlite+aiosqlite:///{(self.data_dir / 'db' / f'{service}.sqlite3').as_posix()}"

    def clients_path(self) -> Path:
        return self.clients_file or self.data_dir / "clients.json"

    def service_url(self, process: str) -> str:
        return str(getattr(self, f"{process}_url"))


@lru_cache
def get_settings() -> Settings:
    return Settings()
