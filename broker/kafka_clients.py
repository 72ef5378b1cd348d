"""aiokafka clients built from the settings: one place for security and producer guarantees."""

from __future__ import annotations

import ssl
from typing import Any

from aiokafka import AIOKafkaConsumer, AIOKafkaProducer
from aiokafka.admin import AIOKafkaAdminClient

from broker.settings import Settings


def security_options(settings: Settings) -> dict[str, Any]:
    """SSL / SASL options for any aiokafka client."""
    options: dict[str, Any] = {"security_protocol": settings.security_protocol}
    if settings.security_protocol in ("SSL", "SASL_SSL"):
        options["ssl_context"] = ssl.create_default_context(
            cafile=str(settings.ssl_cafile) if settings.ssl_cafile else None
        )
    if settings.security_protocol.startswith("SASL"):
        options["sasl_mechanism"] = settings.sasl_mechanism or "PLAIN"
        options["sasl_plain_username"] = settings.sasl_username
        options["sasl_plain_password"] = (
            settings.sasl_password.get_secret_value() if settings.sasl_password else None
        )
    return options


def producer(settings: Settings, bootstrap: str, **overrides: Any) -> AIOKafkaProducer:
    """An idempotent, acks=all producer with light batching (5 ms linger by default)."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "acks": "all",
        "enable_idempotence": True,
        "linger_ms": int(settings.producer_linger_s * 1000),
        "max_batch_size": 256 * 1024,
        **security_options(settings),
    }
    options.update(overrides)
    return AIOKafkaProducer(**options)


def consumer(
    settings: Settings, bootstrap: str, *topics: str, **overrides: Any
) -> AIOKafkaConsumer:
    """A consumer that reads only committed records (transactional outputs)."""
    options: dict[str, Any] = {
        "bootstrap_servers": bootstrap,
        "isolation_level": "read_committed",
        "auto_offset_reset": "earliest",
        "enable_auto_commit": False,
        **security_options(settings),
    }
    options.update(overrides)
    return AIOKafkaConsumer(*topics, **options)


def admin(settings: Settings, bootstrap: str) -> AIOKafkaAdminClient:
    return AIOKafkaAdminClient(
        bootstrap_servers=bootstrap, request_timeout_ms=15000, **security_options(settings)
    )
