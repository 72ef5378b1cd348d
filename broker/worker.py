"""Run the network's agents in one Faust worker, topics created first.

Topics are created before any agent starts: an auto-created source topic would get the
broker's default partition count and Faust would stop on ``PartitionsMismatch``.
"""

from __future__ import annotations

import asyncio
import time

import faust
import structlog
from faust.worker import Worker

from broker import kafka_clients
from broker.app import Wiring, create_app
from broker.settings import Settings
from broker.topics_admin import TopicReport, ensure_topics
from broker.topology import Topology

log = structlog.get_logger(__name__)
_STARTED = time.monotonic()


async def create_all_topics(settings: Settings, bootstrap: str) -> list[TopicReport]:
    admin = kafka_clients.admin(settings, bootstrap)
    await admin.start()
    try:
        return await ensure_topics(admin, Topology(settings.topic_namespace).all_topics())
    finally:
        await admin.close()


class MareWorker(Worker):
    """Faust's worker, announcing when every agent has its partitions."""

    async def on_startup_finished(self) -> None:
        await super().on_startup_finished()
        log.info(
            "worker_ready",
            app_id=self.app.conf.id,
            agents=sorted(self.app.agents),
            since_launch_s=round(time.monotonic() - _STARTED, 2),
        )


def build_worker(app: faust.App, settings: Settings) -> Worker:
    """A Faust worker that keeps our logging and has no terminal spinner.

    The spinner of ``faust worker`` sets the root logger to DEBUG and burns ~11 % of CPU
    building discarded messages (ARCHITECTURE.md), so it is switched off.
    """
    worker = MareWorker(
        app,
        loglevel=settings.log_level,
        quiet=True,
        override_logging=False,
        redirect_stdouts=False,
        daemon=True,
    )
    worker.spinner = None
    return worker


def run_worker(settings: Settings, bootstrap: str, wirings: list[Wiring] | None = None) -> None:
    """Create the topics, then run every agent until Ctrl-C or SIGTERM."""
    asyncio.run(create_all_topics(settings, bootstrap))
    app = create_app(settings, bootstrap, wirings=wirings)
    worker = build_worker(app, settings)
    try:
        worker.execute_from_commandline()
    except SystemExit as exit_:
        if exit_.code not in (0, None):
            raise
