"""Fixtures shared by every test: environment, databases (PostgreSQL and SQLite), NATS, tokens."""

import os
import uuid

os.environ["SZ_ENV"] = "test"
os.environ.setdefault("SZ_AUTH_DEV_SECRET", "shuzhuan-test-secret-0123456789abcdef")
os.environ["SZ_EVENTS_NAMESPACE"] = f"t{uuid.uuid4().hex[:8]}"
os.environ.setdefault("SZ_NATS_URL", "nats://127.0.0.1:4222")
os.environ.setdefault("SZ_OUTBOX_POLL_SECONDS", "0.2")

pytest_plugins = ["tests.support.fixtures"]
