"""Stream agents: one module per agent, a pure decision core and a thin wiring.

The throughput path (ingest → route → translate → deliver) and the acknowledger run as
transactional batch loops inside the Faust worker; the dead-letter monitor is a Faust agent
with a changelog-backed table.
"""

from agents.acknowledger import wire_acknowledger
from agents.deadletter_monitor import wire_deadletter_monitor
from agents.pipeline import wire_pipeline

ALL_WIRINGS = (wire_pipeline, wire_acknowledger, wire_deadletter_monitor)

__all__ = ["ALL_WIRINGS"]
