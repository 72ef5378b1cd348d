"""structlog, configured once per process.

JSON lines in production (one object per line, for the operators' log shipper), a readable
console renderer at a terminal. ``merge_contextvars`` comes first, so every line inside an
agent carries the ``event_id`` / ``correlation_id`` / ``region`` bound around that event.
"""

from __future__ import annotations

import logging
import sys
from typing import Literal

import structlog

_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}


def configure_logging(
    log_format: Literal["json", "console"] = "console",
    level: Literal["debug", "info", "warning", "error"] = "info",
) -> None:
    """Configure structlog and route the standard library's logging (Faust, aiokafka) through it."""
    shared: list[structlog.types.Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    renderer: structlog.types.Processor
    if log_format == "json":
        renderer = structlog.processors.JSONRenderer()
        shared.append(structlog.processors.format_exc_info)
    else:
        renderer = structlog.dev.ConsoleRenderer(colors=sys.stderr.isatty())
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.make_filtering_bound_logger(_LEVELS[level]),
        cache_logger_on_first_use=True,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, renderer],
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(_LEVELS[level])
    # aiokafka and Faust are chatty at INFO about every rebalance step.
    for noisy in ("aiokafka", "faust", "mode"):
        logging.getLogger(noisy).setLevel(max(_LEVELS[level], logging.WARNING))
    logging.getLogger("aiokafka.consumer.group_coordinator").addFilter(_expected_on_a_new_broker)


def _expected_on_a_new_broker(record: logging.LogRecord) -> bool:
    """aiokafka logs an ERROR while a new broker creates its offsets topic, then retries and
    succeeds; an operator starting the network should not read that as a failure."""
    return "GroupCoordinatorNotAvailable" not in record.getMessage()
