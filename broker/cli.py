"""The ``mare`` command: parse, call, render. The work lives in the modules it calls."""

from __future__ import annotations

import asyncio
import signal
import sys
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Column, Table

from broker.errors import MareError
from broker.local_kafka import LocalKafka
from broker.logs import configure_logging
from broker.settings import Settings

cli = typer.Typer(
    help=(
        "MARE Broker: the event backbone of the MA.R.E. Franco-Italian cross-border labour "
        "market. Without MARE_BOOTSTRAP_SERVERS, commands use the managed Apache Kafka "
        "(fetched from Maven Central once, data kept in MARE_DATA_DIR)."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
)
kafka_cli = typer.Typer(help="The managed Apache Kafka (KRaft, 127.0.0.1).", no_args_is_help=True)
topics_cli = typer.Typer(help="The topology's topics.", no_args_is_help=True)
cli.add_typer(kafka_cli, name="kafka")
cli.add_typer(topics_cli, name="topics")

console = Console(stderr=True)
# Tables keep whole topic names when piped (no terminal width to respect).
out = Console(width=None if sys.stdout.isatty() else 180)

NodesOption = Annotated[
    int,
    typer.Option(
        "--nodes",
        min=1,
        max=5,
        help="Managed Kafka nodes; 3 gives replication 3, min.insync.replicas 2.",
    ),
]


def _settings() -> Settings:
    settings = Settings()
    configure_logging(settings.log_format, settings.log_level)
    return settings


def _managed(settings: Settings, nodes: int, detach: bool = False) -> LocalKafka:
    return LocalKafka(
        settings.kafka_version,
        settings.data_dir,
        settings.cache_dir,
        nodes=nodes,
        heap=settings.kafka_heap,
        jvm_options=settings.kafka_jvm_args,
        detach=detach,
    )


def _fail(error: MareError) -> None:
    console.print(f"[bold red]{error.code}[/]: {error}")
    raise typer.Exit(2)


def _sigterm_as_interrupt() -> None:
    """SIGTERM stops ``mare up`` the same clean way as Ctrl-C."""

    def handler(_signum: int, _frame: object) -> None:
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, handler)


def _bootstrap_or_managed(settings: Settings, nodes: int) -> tuple[str, LocalKafka | None]:
    if settings.bootstrap_servers:
        return settings.bootstrap_servers, None
    kafka = _managed(settings, nodes)
    return kafka.start(on_step=lambda msg: console.print(f"[dim]{msg}[/]")), kafka


@cli.command()
def up(nodes: NodesOption = 1) -> None:
    """Run the whole network: Kafka (managed unless configured), topics, every agent.

    Ctrl-C (or SIGTERM) stops the agents, then the managed Kafka; its data stays in
    MARE_DATA_DIR for the next start.
    """
    from broker.worker import run_worker

    settings = _settings()
    _sigterm_as_interrupt()
    kafka: LocalKafka | None = None
    try:
        bootstrap, kafka = _bootstrap_or_managed(settings, nodes)
        console.print(f"[green]Kafka ready[/] at {bootstrap}; starting the agents (Ctrl-C stops)")
        run_worker(settings, bootstrap)
    except MareError as error:
        _fail(error)
    except KeyboardInterrupt:
        console.print("stopping")
    finally:
        if kafka is not None and kafka.pids:
            kafka.stop()
            console.print("[green]Kafka stopped[/]; data kept in " + str(kafka.cluster_dir))


@cli.command()
def worker() -> None:
    """Run every agent against the configured cluster (MARE_BOOTSTRAP_SERVERS)."""
    from broker.worker import run_worker

    settings = _settings()
    if not settings.bootstrap_servers:
        console.print(
            "[red]MARE_BOOTSTRAP_SERVERS is not set[/]: `mare worker` joins an existing "
            "cluster. Use `mare up` to run the managed Kafka and the agents together."
        )
        raise typer.Exit(2)
    _sigterm_as_interrupt()
    try:
        run_worker(settings, settings.bootstrap_servers)
    except KeyboardInterrupt:
        console.print("stopping")


@kafka_cli.command("start")
def kafka_start(nodes: NodesOption = 1) -> None:
    """Start the managed Kafka in the background and print its bootstrap servers."""
    settings = _settings()
    kafka = _managed(settings, nodes, detach=True)
    try:
        bootstrap = kafka.start(on_step=lambda msg: console.print(f"[dim]{msg}[/]"))
    except MareError as error:
        _fail(error)
    out.print(bootstrap)
    console.print(f"export MARE_BOOTSTRAP_SERVERS={bootstrap}  # to use it from `mare worker`")


@kafka_cli.command("stop")
def kafka_stop(nodes: NodesOption = 1) -> None:
    """Stop the managed Kafka started by `mare kafka start`; its data stays."""
    settings = _settings()
    kafka = _managed(settings, nodes)
    if kafka.running_state() is None:
        console.print(
            f"no managed Kafka {settings.kafka_version} running under {kafka.cluster_dir}"
        )
        return
    kafka.stop()
    console.print("[green]stopped[/]")


@kafka_cli.command("status")
def kafka_status(nodes: NodesOption = 1) -> None:
    """Show whether the managed Kafka runs, where, and with which pids. Exit 1 if stopped."""
    settings = _settings()
    kafka = _managed(settings, nodes)
    state = kafka.running_state()
    if state is None:
        out.print(f"stopped (Kafka {settings.kafka_version}, data in {kafka.cluster_dir})")
        raise typer.Exit(1)
    pids = ", ".join(str(n.pid) for n in state.nodes)
    out.print(f"running: Kafka {state.version} at {state.bootstrap} (pids {pids})")


@topics_cli.command("create")
def topics_create(nodes: NodesOption = 1) -> None:
    """Create every topic of the topology (idempotent: existing topics are left as they are)."""
    from broker.worker import create_all_topics

    settings = _settings()
    try:
        bootstrap, kafka = _bootstrap_or_managed(settings, nodes)
    except MareError as error:
        _fail(error)
    try:
        reports = asyncio.run(create_all_topics(settings, bootstrap))
    finally:
        if kafka is not None and kafka._owned:
            kafka.stop()
    table = Table("topic", "partitions", "status", "detail")
    for report in reports:
        style = {"created": "green", "exists": "dim", "mismatch": "red"}[report.status]
        table.add_row(
            report.spec.name, str(report.partitions), f"[{style}]{report.status}[/]", report.detail
        )
    out.print(table)
    if any(r.status == "mismatch" for r in reports):
        raise typer.Exit(1)


@topics_cli.command("list")
def topics_list() -> None:
    """List the topology: every topic with key, partitions, retention and compaction."""
    from broker.topology import Topology

    table = Table("topic", "key", "partitions", "retention", "compacted", "description")
    for spec in Topology(_settings().topic_namespace).all_topics():
        retention = f"{spec.retention.days} d" if spec.retention else "forever"
        table.add_row(
            spec.name,
            spec.key,
            str(spec.partitions),
            retention,
            "yes" if spec.compacted else "",
            spec.description,
        )
    out.print(table)


@cli.command()
def doctor(nodes: NodesOption = 1) -> None:
    """Check the cluster: connectivity, Kafka version, idempotence, transactions, topics."""
    from broker.doctor import diagnose

    settings = _settings()
    managed_version = None
    if settings.bootstrap_servers:
        bootstrap = settings.bootstrap_servers
    else:
        state = _managed(settings, nodes).running_state()
        if state is None:
            console.print(
                "[red]no cluster[/]: set MARE_BOOTSTRAP_SERVERS, or start the managed "
                "Kafka with `mare kafka start` (or `mare up`)."
            )
            raise typer.Exit(2)
        bootstrap, managed_version = state.bootstrap, state.version
    report = asyncio.run(diagnose(settings, bootstrap, managed_version))
    checks = Table("check", "ok", "detail", title=f"Kafka at {report.bootstrap}")
    for check in report.checks:
        checks.add_row(check.name, "[green]yes[/]" if check.ok else "[red]no[/]", check.detail)
    out.print(checks)
    if report.topics:
        topics = Table("present", "partitions", "cleanup", "retention", "min ISR")
        topics.columns.insert(0, Column("topic", no_wrap=True))
        for row in report.topics:
            partitions = "" if row.partitions is None else str(row.partitions)
            if row.partitions is not None and row.partitions != row.expected_partitions:
                partitions = f"[red]{partitions} (expected {row.expected_partitions})[/]"
            topics.add_row(
                row.name,
                "[green]yes[/]" if row.present else "[red]missing[/]",
                partitions,
                row.config.get("cleanup.policy", ""),
                _retention(row.config.get("retention.ms")),
                row.config.get("min.insync.replicas", ""),
            )
        out.print(topics)
    if not report.healthy:
        raise typer.Exit(1)


def _retention(ms: str | None) -> str:
    if ms is None:
        return ""
    return "forever" if int(ms) < 0 else f"{int(ms) / 86_400_000:g} d"


def main() -> None:
    try:
        cli()
    except MareError as error:
        console.print(f"[bold red]{error.code}[/]: {error}")
        sys.exit(2)
