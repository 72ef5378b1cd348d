"""Faust's aiokafka transport with an idempotent producer.

Faust only turns idempotence on inside transactions; the network wants it on every
producer (acks=all + idempotence: a retried send is never written twice). Registered as
the ``mare://`` broker scheme through the ``faust.transports`` entry point.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from faust.transport.drivers import aiokafka as faust_aiokafka


class IdempotentProducer(faust_aiokafka.Producer):
    def _settings_extra(self) -> Mapping[str, Any]:
        return {"acks": "all", "enable_idempotence": True}


class Transport(faust_aiokafka.Transport):
    Producer = IdempotentProducer
