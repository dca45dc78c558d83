"""A consumer process for fault tests: `python -m tests.support.eventworker URL NATS NAMESPACE CONSUMER`."""

import asyncio
import sys

from szcore.settings import Settings
from tests.support.eventservice import Behaviour, event_runtime


async def main(url: str, nats_url: str, namespace: str, consumer: str) -> None:
    settings = Settings(nats_url=nats_url, events_namespace=namespace, outbox_poll_seconds=0.2)
    runtime = event_runtime(settings, url, Behaviour(), consumer=consumer, ack_wait_seconds=2)
    await runtime.start()
    await asyncio.Event().wait()


if __name__ == "__main__":
    asyncio.run(main(*sys.argv[1:5]))
