"""Stream agents: one module per agent, a pure decision core and a thin Faust wiring."""

from agents.deadletter_monitor import wire_deadletter_monitor

ALL_WIRINGS = (wire_deadletter_monitor,)

__all__ = ["ALL_WIRINGS"]
