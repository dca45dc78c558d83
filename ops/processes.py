"""Where each process's code lives: the one place that names them all."""

from pathlib import Path

from alembic import command
from alembic.config import Config

from szcore.settings import SERVICES

# Every process with a database: the services, and the gateway (national-platform sync state).
MIGRATED = (*SERVICES, "gateway")

APP_FACTORIES = {
    "gateway": "gateway.app:create_app",
    "enrollment": "services.enrollment.app:create_app",
    "assessment": "services.assessment.app:create_app",
    "funding": "services.funding.app:create_app",
    "matching": "services.matching.app:create_app",
}


def alembic_config(service: str, database_url: str | None = None) -> Config:
    if service not in MIGRATED:
        raise ValueError(f"unknown service {service!r}; one of {', '.join(MIGRATED)}")
    if service == "gateway":
        import gateway.sync

        folder = Path(gateway.sync.__file__).parent
    else:
        import services

        folder = Path(services.__file__).parent / service
    config = Config(str(folder / "alembic.ini"))
    config.set_main_option("script_location", str(folder / "migrations"))
    if database_url:
        config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def migrate(service: str, database_url: str | None = None, revision: str = "head") -> None:
    command.upgrade(alembic_config(service, database_url), revision)
