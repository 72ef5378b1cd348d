"""The Faust app factory: one app per worker, built from settings, agents wired from ``agents``.

Tests build isolated apps (own app id, memory store, web server off); ``mare up`` and
``mare worker`` build the production one.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from dataclasses import dataclass

import faust

from broker.errors import ConfigurationInvalid
from broker.settings import Settings
from broker.topology import Topology


@dataclass(frozen=True)
class AppContext:
    """What the wiring functions need besides the app itself."""

    settings: Settings
    bootstrap: str

    @property
    def topology(self) -> Topology:
        return Topology(self.settings.topic_namespace)


Wiring = Callable[[faust.App, AppContext], None]


def broker_urls(bootstrap: str) -> list[str]:
    """``h1:p1,h2:p2`` as Faust broker URLs on our idempotent transport (``mare://``)."""
    return [f"mare://{host.strip()}" for host in bootstrap.split(",") if host.strip()]


def _rocksdb_store() -> str:
    """Faust's RocksDB store, through rocksdict (``pip install 'mare-broker[rocksdb]'``)."""
    if importlib.util.find_spec("rocksdict") is None:
        raise ConfigurationInvalid(
            "MARE_TABLE_STORE=rocksdb needs the rocksdict package: "
            "pip install 'mare-broker[rocksdb]', or use MARE_TABLE_STORE=memory "
            "(tables are then rebuilt from their changelog topics at start-up)"
        )
    return "rocksdb://"


def create_app(
    settings: Settings,
    bootstrap: str,
    *,
    app_id: str | None = None,
    wirings: list[Wiring] | None = None,
) -> faust.App:
    """A Faust app on ``bootstrap``; ``wirings`` default to every agent of the network."""
    app_id = app_id or settings.app_id
    store = "memory://" if settings.table_store == "memory" else _rocksdb_store()
    (settings.data_dir / "faust").mkdir(parents=True, exist_ok=True)
    app = faust.App(
        app_id,
        broker=broker_urls(bootstrap),
        store=store,
        datadir=str(settings.data_dir / "faust" / app_id),
        processing_guarantee=settings.processing_guarantee,
        web_enabled=settings.web_port is not None,
        web_port=settings.web_port or 6066,
        web_bind="127.0.0.1",
        producer_acks=-1,
        producer_linger=settings.producer_linger_s,
        broker_rebalance_timeout=settings.rebalance_timeout_s,
        broker_session_timeout=settings.session_timeout_s,
        broker_heartbeat_interval=min(3.0, settings.session_timeout_s / 3),
        consumer_auto_offset_reset="earliest",
        topic_replication_factor=1 if "," not in bootstrap else 3,
        topic_allow_declare=True,
        topic_disable_leader=True,
        autodiscover=False,
    )
    if wirings is None:
        from agents import ALL_WIRINGS

        wirings = list(ALL_WIRINGS)
    context = AppContext(settings, bootstrap)
    for wire in wirings:
        wire(app, context)
    return app
