"""Settings of the network, read once at the edge (CLI, worker start) and passed down.

Every field can be set with a ``MARE_*`` environment variable or a ``.env`` file;
stream cores never read the environment.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

# The managed broker compiles with C1 only. Measured on the project's 2-core machines: with
# the JVM's default tiered compilation, C2 took 43 % of the broker's CPU over its first five
# minutes, and a transaction cost 14.7 ms of broker CPU; C1 only: 5 ms.
QUICK_JIT = "-XX:TieredStopAtLevel=1"

SUPPORTED_KAFKA_VERSIONS = ("4.4.0", "3.9.2")


def _default_cache_dir() -> Path:
    return Path.home() / ".cache" / "mare"


class Settings(BaseSettings):
    """How this process reaches Kafka, logs, and keeps its state."""

    model_config = SettingsConfigDict(
        env_prefix="MARE_", env_file=".env", frozen=True, extra="ignore"
    )

    bootstrap_servers: str | None = Field(
        default=None,
        description="host:port[,…] of an existing Kafka cluster; unset: the managed Kafka.",
    )
    security_protocol: Literal["PLAINTEXT", "SSL", "SASL_PLAINTEXT", "SASL_SSL"] = "PLAINTEXT"
    sasl_mechanism: Literal["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"] | None = None
    sasl_username: str | None = None
    sasl_password: SecretStr | None = None
    ssl_cafile: Path | None = None

    topic_namespace: str = Field(
        default="mare",
        pattern=r"^[a-z][a-z0-9_-]*$",
        description="First segment of every topic name (mare.paca.offer.in).",
    )
    app_id: str = Field(default="mare", description="Faust app id: consumer group, state topics.")
    worker_id: str = Field(default="mare-1", description="This worker's id (transactional ids).")
    data_dir: Path = Field(default=Path(".mare"), description="Managed Kafka logs, table state.")
    cache_dir: Path = Field(
        default_factory=_default_cache_dir, description="Downloaded Kafka jars, per version."
    )
    kafka_version: Literal["4.4.0", "3.9.2"] = Field(
        default="4.4.0", description="Apache Kafka version of the managed broker."
    )
    kafka_heap: str = Field(default="512m", description="-Xmx of each managed broker JVM.")
    kafka_jvm_options: str = Field(
        default=QUICK_JIT,
        description="Further JVM options of each managed broker, space-separated.",
    )

    log_format: Literal["json", "console"] = "console"
    log_level: Literal["debug", "info", "warning", "error"] = "info"

    processing_guarantee: Literal["at_least_once", "exactly_once"] = "at_least_once"
    table_store: Literal["memory", "rocksdb"] = "memory"
    web_port: int | None = Field(default=None, description="Faust web server port; None: off.")
    rebalance_timeout_s: float = Field(default=10.0, gt=0)
    session_timeout_s: float = Field(default=10.0, gt=0)
    producer_linger_s: float = Field(default=0.005, ge=0)
    fetch_wait_ms: int = Field(
        default=0,
        ge=0,
        le=500,
        description="0: a fetch of the network's loops returns as soon as a record arrives. "
        "Above 0, the broker holds each fetch until 1 MiB arrives or this many milliseconds "
        "pass: fewer, fuller fetches under a steady load, but a fetch every so many "
        "milliseconds when idle.",
    )
    compression: Literal["none", "gzip", "snappy", "lz4", "zstd"] = Field(
        default="none",
        description="Compression of what the network writes. On one host or a LAN it costs "
        "more CPU (client and broker) than it saves; lz4 or zstd across a WAN.",
    )

    confluent_schema_ids: dict[int, str] = Field(
        default_factory=dict,
        description="Confluent Schema Registry ids accepted on input, as JSON: "
        '{"17": "JobOffer.v2"} (id → schema file stem).',
    )
    clock: Literal["system", "event"] = Field(
        default="system",
        description="Clock of SLA deadlines: wall time, or the latest event time seen.",
    )

    @property
    def kafka_jvm_args(self) -> tuple[str, ...]:
        """``kafka_jvm_options`` as the separate arguments the managed broker's JVM takes."""
        return tuple(self.kafka_jvm_options.split())
