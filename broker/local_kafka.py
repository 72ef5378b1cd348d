"""The managed Apache Kafka: real Kafka in KRaft mode on 127.0.0.1, fetched and started by us.

Apache Kafka is not on PyPI or apt, but Maven Central serves the whole server as one
dependency (``org.apache.kafka:kafka_2.13``) plus a logging binding. We fetch the jars once
per version into the cache dir with Maven, format the storage once in the data dir (so data
survives restarts), pick free ports (the previous ones when still free, so partners' configs
stay valid), start one JVM per node with ``process.roles=broker,controller`` and a static
``controller.quorum.voters``, and wait until a metadata request succeeds.

No orphan JVM: an attached broker gets ``PR_SET_PDEATHSIG`` so the kernel stops it when its
parent dies, even by SIGKILL; a detached one (``mare kafka start``) records its pids so that
``mare kafka stop`` finds it.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import ctypes
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path

import structlog

from broker.errors import KafkaPrerequisiteMissing, KafkaStartFailed
from broker.settings import QUICK_JIT

log = structlog.get_logger(__name__)

_PR_SET_PDEATHSIG = 1
_ALTERNATIVES = (
    "Alternatives: point MARE_BOOTSTRAP_SERVERS at an existing Kafka cluster "
    "(e.g. MARE_BOOTSTRAP_SERVERS=kafka.example:9092), or run `docker compose up` "
    "on a machine with a Docker engine."
)

# The logging binding each Kafka line needs (Kafka 4 logs through log4j2, 3.x through reload4j).
_LOGGING_ARTIFACTS = {
    "4": ("org.apache.logging.log4j", "log4j-slf4j-impl", "2.24.3"),
    "3": ("org.slf4j", "slf4j-reload4j", "1.7.36"),
}

_POM = """<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>eu.mare</groupId>
  <artifactId>managed-kafka</artifactId>
  <version>{version}</version>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>{version}</version>
    </dependency>
    <dependency>
      <groupId>{log_group}</groupId>
      <artifactId>{log_artifact}</artifactId>
      <version>{log_version}</version>
    </dependency>
  </dependencies>
</project>
"""

_LOG4J2 = """status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = {path}
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.state.name = state.change.logger
logger.state.level = WARN
"""

_LOG4J1 = """log4j.rootLogger=INFO, file
log4j.appender.file=org.apache.log4j.FileAppender
log4j.appender.file.File={path}
log4j.appender.file.layout=org.apache.log4j.PatternLayout
log4j.appender.file.layout.ConversionPattern=[%d] %p %m (%c)%n
log4j.logger.state.change.logger=WARN
"""


def _major(version: str) -> str:
    return version.split(".", 1)[0]


# --------------------------------------------------------------------------- prerequisites


def java_major_version(java: str) -> int:
    """The major version ``java -version`` reports (``17`` for ``17.0.15``, ``8`` for ``1.8``)."""
    out = subprocess.run([java, "-version"], capture_output=True, text=True, check=False)
    match = re.search(r'version "(\d+)(?:\.(\d+))?', out.stderr + out.stdout)
    if not match:
        raise KafkaPrerequisiteMissing(f"could not read the Java version from {java!r}")
    first = int(match.group(1))
    return int(match.group(2) or 0) if first == 1 else first


def find_java() -> str:
    """Java 17+ (JAVA_HOME first, then PATH), or a precise error naming the alternatives."""
    candidates = []
    if home := os.environ.get("JAVA_HOME"):
        candidates.append(str(Path(home) / "bin" / "java"))
    if found := shutil.which("java"):
        candidates.append(found)
    for java in candidates:
        if Path(java).exists() and java_major_version(java) >= 17:
            return java
    seen = ", ".join(f"{j} (Java {java_major_version(j)})" for j in candidates if Path(j).exists())
    raise KafkaPrerequisiteMissing(
        "The managed Kafka needs Java 17 or newer"
        + (f"; found only {seen}" if seen else "; no `java` on PATH and JAVA_HOME unset")
        + ". Install it (Debian/Ubuntu: `apt-get install openjdk-17-jre-headless`). "
        + _ALTERNATIVES
    )


def find_maven() -> str:
    mvn = shutil.which("mvn")
    if not mvn:
        raise KafkaPrerequisiteMissing(
            "The managed Kafka is fetched from Maven Central with Maven, and `mvn` is not on "
            "PATH. Install it (Debian/Ubuntu: `apt-get install maven`), or put the Kafka jars "
            "in the cache dir yourself. " + _ALTERNATIVES
        )
    return mvn


# --------------------------------------------------------------------------- distribution


def ensure_kafka_jars(version: str, cache_dir: Path) -> Path:
    """The directory holding every jar of Kafka ``version``, fetched once with Maven."""
    home = cache_dir / f"kafka-{version}"
    jars = home / "jars"
    done = home / ".complete"
    if done.exists():
        return jars
    mvn = find_maven()
    home.mkdir(parents=True, exist_ok=True)
    group, artifact, log_version = _LOGGING_ARTIFACTS[_major(version)]
    pom = home / "pom.xml"
    pom.write_text(
        _POM.format(
            version=version, log_group=group, log_artifact=artifact, log_version=log_version
        )
    )
    log.info("kafka_fetch", version=version, into=str(jars))
    tmp = home / "jars.partial"
    shutil.rmtree(tmp, ignore_errors=True)
    result = subprocess.run(
        [
            mvn,
            "-q",
            "-B",
            "-f",
            str(pom),
            "dependency:copy-dependencies",
            f"-DoutputDirectory={tmp}",
            "-DincludeScope=runtime",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if result.returncode != 0:
        raise KafkaStartFailed(
            f"Maven could not fetch Apache Kafka {version}: "
            f"{(result.stdout + result.stderr).strip()[-2000:]}"
        )
    shutil.rmtree(jars, ignore_errors=True)
    tmp.rename(jars)
    done.write_text(version)
    return jars


# --------------------------------------------------------------------------- cluster layout


@dataclass
class NodeState:
    node_id: int
    port: int
    controller_port: int
    pid: int | None = None


@dataclass
class ClusterState:
    """What ``cluster.json`` remembers between runs: identity, ports, running pids."""

    version: str
    cluster_id: str
    nodes: list[NodeState]
    detached: bool = False

    @property
    def bootstrap(self) -> str:
        return ",".join(f"127.0.0.1:{n.port}" for n in self.nodes)

    def save(self, path: Path) -> None:
        path.write_text(json.dumps(asdict(self), indent=2))

    @classmethod
    def load(cls, path: Path) -> ClusterState | None:
        if not path.exists():
            return None
        raw = json.loads(path.read_text())
        return cls(
            version=raw["version"],
            cluster_id=raw["cluster_id"],
            nodes=[NodeState(**n) for n in raw["nodes"]],
            detached=raw.get("detached", False),
        )


def kafka_uuid() -> str:
    """A cluster id as Kafka's ``Uuid.randomUuid`` makes them (22 url-safe base64 chars)."""
    while True:
        text = base64.urlsafe_b64encode(uuid.uuid4().bytes).decode().rstrip("=")
        if not text.startswith("-"):
            return text


def port_is_free(port: int) -> bool:
    """Free for a server as the JVM binds one (SO_REUSEADDR: TIME_WAIT leftovers do not count)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def pid_alive(pid: int | None) -> bool:
    if not pid:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie still answers kill(0); it is not a running broker.
    with contextlib.suppress(OSError):
        stat = Path(f"/proc/{pid}/stat").read_text()
        return stat.rsplit(")", 1)[1].split()[0] != "Z"
    return True


def server_properties(node: NodeState, voters: str, log_dir: Path, replicas: int) -> dict[str, str]:
    """A broker+controller node on loopback; replication follows the cluster size."""
    min_isr = "2" if replicas >= 3 else "1"
    return {
        "process.roles": "broker,controller",
        "node.id": str(node.node_id),
        "controller.quorum.voters": voters,
        "listeners": f"PLAINTEXT://127.0.0.1:{node.port},CONTROLLER://127.0.0.1:{node.controller_port}",
        "advertised.listeners": f"PLAINTEXT://127.0.0.1:{node.port}",
        "controller.listener.names": "CONTROLLER",
        "inter.broker.listener.name": "PLAINTEXT",
        "listener.security.protocol.map": "CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT",
        "log.dirs": str(log_dir),
        "num.partitions": "3",
        "default.replication.factor": str(replicas),
        "min.insync.replicas": min_isr,
        "offsets.topic.replication.factor": str(replicas),
        "offsets.topic.num.partitions": "6",
        "transaction.state.log.replication.factor": str(replicas),
        "transaction.state.log.min.isr": min_isr,
        "transaction.state.log.num.partitions": "6",
        "share.coordinator.state.topic.replication.factor": str(replicas),
        "share.coordinator.state.topic.min.isr": min_isr,
        "group.initial.rebalance.delay.ms": "0",
        "auto.create.topics.enable": "false",
        "log.retention.check.interval.ms": "60000",
    }


def _die_with_parent() -> None:
    """Ask the kernel to SIGTERM this child when the process that started it dies."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


# --------------------------------------------------------------------------- the cluster


@dataclass
class LocalKafka:
    """A managed Kafka cluster of ``nodes`` KRaft nodes under ``data_dir``.

    Use as a context manager, or ``start()`` / ``stop()``. ``detach=True`` leaves it running
    after this process exits (``mare kafka start``); otherwise it dies with this process.
    """

    version: str
    data_dir: Path
    cache_dir: Path
    nodes: int = 1
    heap: str = "512m"
    jvm_options: tuple[str, ...] = tuple(QUICK_JIT.split())
    detach: bool = False
    ready_timeout_s: float = 90.0
    _procs: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)
    _state: ClusterState | None = field(default=None, repr=False)
    _owned: bool = field(default=False, repr=False)

    @property
    def cluster_dir(self) -> Path:
        suffix = "" if self.nodes == 1 else f"-{self.nodes}nodes"
        return self.data_dir / f"kafka-{self.version}{suffix}"

    @property
    def state_file(self) -> Path:
        return self.cluster_dir / "cluster.json"

    @property
    def bootstrap(self) -> str:
        if self._state is None:
            raise KafkaStartFailed("the managed Kafka is not started")
        return self._state.bootstrap

    @property
    def pids(self) -> list[int]:
        return [n.pid for n in (self._state.nodes if self._state else []) if n.pid]

    def running_state(self) -> ClusterState | None:
        """The recorded cluster if every node of it is still running."""
        state = ClusterState.load(self.state_file)
        if state and state.nodes and all(pid_alive(n.pid) for n in state.nodes):
            return state
        return None

    def start(self, on_step: Callable[[str], None] | None = None) -> str:
        """Start (or attach to an already running) cluster; return its bootstrap servers."""
        step = on_step or (lambda _msg: None)
        running = self.running_state()
        if running is not None:
            self._state, self._owned = running, False
            step(f"Kafka {self.version} already running at {running.bootstrap}")
            wait_until_ready(running.bootstrap, self.ready_timeout_s, self._log_tail)
            return running.bootstrap
        java = find_java()
        if not (self.cache_dir / f"kafka-{self.version}" / ".complete").exists():
            step(f"fetching Apache Kafka {self.version} from Maven Central (once)")
        jars = ensure_kafka_jars(self.version, self.cache_dir)
        state = self._layout()
        for node in state.nodes:
            self._format_once(java, jars, state, node)
        step(f"starting {self.nodes} node(s) on {state.bootstrap}")
        for node in state.nodes:
            self._procs.append(self._spawn(java, jars, node))
            node.pid = self._procs[-1].pid
        state.detached = self.detach
        self._state, self._owned = state, True
        state.save(self.state_file)
        try:
            wait_until_ready(
                state.bootstrap,
                self.ready_timeout_s,
                self._log_tail,
                expected_brokers=self.nodes,
                procs=self._procs,
            )
        except BaseException:
            self.stop()
            raise
        log.info(
            "kafka_ready",
            version=self.version,
            bootstrap=state.bootstrap,
            nodes=self.nodes,
            pids=self.pids,
        )
        return state.bootstrap

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop the nodes this object started or recorded: SIGTERM, then SIGKILL if stuck."""
        state = self._state or ClusterState.load(self.state_file)
        if state is None:
            return
        pids = [n.pid for n in state.nodes if pid_alive(n.pid)]
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGTERM)  # type: ignore[arg-type]
        deadline = time.monotonic() + timeout_s
        for proc in self._procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(max(0.1, deadline - time.monotonic()))
        while any(pid_alive(p) for p in pids) and time.monotonic() < deadline:
            time.sleep(0.1)
        for pid in pids:
            if pid_alive(pid):
                with contextlib.suppress(ProcessLookupError):
                    os.kill(pid, signal.SIGKILL)  # type: ignore[arg-type]
        for proc in self._procs:
            with contextlib.suppress(subprocess.TimeoutExpired):
                proc.wait(5)
        for node in state.nodes:
            node.pid = None
        state.detached = False
        if self.state_file.parent.exists():
            state.save(self.state_file)
        self._procs.clear()
        log.info("kafka_stopped", version=state.version)

    def kill_node(self, node_id: int) -> None:
        """SIGKILL one node (resilience tests)."""
        for node in self._state.nodes if self._state else []:
            if node.node_id == node_id and node.pid:
                os.kill(node.pid, signal.SIGKILL)

    def __enter__(self) -> LocalKafka:
        self.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._owned:
            self.stop()

    # ----------------------------------------------------------------- internals

    def _layout(self) -> ClusterState:
        """Reuse the cluster id and, when still free, the ports of the previous run."""
        self.cluster_dir.mkdir(parents=True, exist_ok=True)
        previous = ClusterState.load(self.state_file)
        if previous and len(previous.nodes) == self.nodes and previous.version == self.version:
            taken: set[int] = set()
            for node in previous.nodes:
                for attr in ("port", "controller_port"):
                    port = getattr(node, attr)
                    if port in taken or not port_is_free(port):
                        port = free_port()
                    taken.add(port)
                    setattr(node, attr, port)
                node.pid = None
            return previous
        ports = iter(self._distinct_free_ports(2 * self.nodes))
        return ClusterState(
            version=self.version,
            cluster_id=kafka_uuid(),
            nodes=[NodeState(i, next(ports), next(ports)) for i in range(1, self.nodes + 1)],
        )

    @staticmethod
    def _distinct_free_ports(count: int) -> list[int]:
        ports: set[int] = set()
        while len(ports) < count:
            ports.add(free_port())
        return sorted(ports)

    def _node_dir(self, node: NodeState) -> Path:
        return self.cluster_dir / f"node-{node.node_id}"

    def _write_config(self, state: ClusterState, node: NodeState) -> Path:
        node_dir = self._node_dir(node)
        node_dir.mkdir(parents=True, exist_ok=True)
        voters = ",".join(f"{n.node_id}@127.0.0.1:{n.controller_port}" for n in state.nodes)
        props = server_properties(node, voters, node_dir / "logs", replicas=min(3, self.nodes))
        path = node_dir / "server.properties"
        path.write_text("".join(f"{k}={v}\n" for k, v in props.items()))
        template = _LOG4J2 if _major(self.version) == "4" else _LOG4J1
        (node_dir / "log4j.properties").write_text(template.format(path=node_dir / "server.log"))
        return path

    def _format_once(self, java: str, jars: Path, state: ClusterState, node: NodeState) -> None:
        config = self._write_config(state, node)
        if (self._node_dir(node) / "logs" / "meta.properties").exists():
            return
        result = subprocess.run(
            [
                java,
                "-Xmx256m",
                "-cp",
                f"{jars}/*",
                *self._log_flags(node),
                "kafka.tools.StorageTool",
                "format",
                "-t",
                state.cluster_id,
                "-c",
                str(config),
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        if result.returncode != 0:
            raise KafkaStartFailed(
                f"formatting Kafka storage of node {node.node_id} failed: "
                f"{(result.stdout + result.stderr).strip()[-2000:]}"
            )

    def _log_flags(self, node: NodeState) -> list[str]:
        conf = self._node_dir(node) / "log4j.properties"
        if _major(self.version) == "4":
            return [f"-Dlog4j2.configurationFile=file:{conf}"]
        return [f"-Dlog4j.configuration=file:{conf}"]

    def _spawn(self, java: str, jars: Path, node: NodeState) -> subprocess.Popen[bytes]:
        node_dir = self._node_dir(node)
        out = (node_dir / "stdout.log").open("ab")
        cmd = [
            java,
            f"-Xmx{self.heap}",
            f"-Xms{self.heap}",
            "-XX:+UseG1GC",
            *self.jvm_options,
            "-Djava.awt.headless=true",
            f"-Dkafka.logs.dir={node_dir}",
            *self._log_flags(node),
            "-cp",
            f"{jars}/*",
            "kafka.Kafka",
            str(node_dir / "server.properties"),
        ]
        with out:
            return subprocess.Popen(
                cmd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
                preexec_fn=None if self.detach else _die_with_parent,
            )

    def _log_tail(self) -> str:
        tails = []
        for path in sorted(self.cluster_dir.glob("node-*/stdout.log")) + sorted(
            self.cluster_dir.glob("node-*/server.log")
        ):
            with contextlib.suppress(OSError):
                lines = path.read_text(errors="replace").splitlines()[-15:]
                tails.append(f"--- {path}\n" + "\n".join(lines))
        return "\n".join(tails)


# --------------------------------------------------------------------------- readiness


def _run_in_thread(coro_factory: Callable[[], object]) -> object:
    """Run a coroutine to completion on a private loop, even if the caller has one running."""
    box: dict[str, object] = {}

    def target() -> None:
        try:
            box["value"] = asyncio.run(coro_factory())  # type: ignore[arg-type]
        except BaseException as exc:  # re-raised in the caller's thread
            box["error"] = exc

    thread = threading.Thread(target=target, name="mare-kafka-probe")
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]  # type: ignore[misc]
    return box.get("value")


async def _broker_count(bootstrap: str) -> int:
    from aiokafka.admin import AIOKafkaAdminClient

    admin = AIOKafkaAdminClient(bootstrap_servers=bootstrap, request_timeout_ms=3000)
    try:
        await admin.start()
        meta = await admin.describe_cluster()
        return len(meta.get("brokers", []))
    finally:
        await admin.close()


def wait_until_ready(
    bootstrap: str,
    timeout_s: float,
    log_tail: Callable[[], str],
    expected_brokers: int = 1,
    procs: list[subprocess.Popen[bytes]] | None = None,
) -> None:
    """Block until a metadata request lists every broker, or fail with the broker's own log."""
    deadline = time.monotonic() + timeout_s
    with _quiet_client_logs():
        _poll_until_ready(bootstrap, deadline, log_tail, expected_brokers, procs)


@contextlib.contextmanager
def _quiet_client_logs() -> Iterator[None]:
    """aiokafka logs every refused connection while the broker boots: expected, so hidden."""
    client_log = logging.getLogger("aiokafka")
    level = client_log.level
    client_log.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        client_log.setLevel(level)


def _poll_until_ready(
    bootstrap: str,
    deadline: float,
    log_tail: Callable[[], str],
    expected_brokers: int,
    procs: list[subprocess.Popen[bytes]] | None,
) -> None:
    last_error: BaseException | None = None
    while time.monotonic() < deadline:
        for proc in procs or []:
            if proc.poll() is not None:
                raise KafkaStartFailed(
                    f"Kafka exited with code {proc.returncode} during start-up:\n{log_tail()}"
                )
        try:
            count = _run_in_thread(lambda: _broker_count(bootstrap))
            if isinstance(count, int) and count >= expected_brokers:
                return
        except Exception as exc:  # not up yet: retried until the deadline
            last_error = exc
        time.sleep(0.3)
    raise KafkaStartFailed(
        f"Kafka at {bootstrap} not ready in time ({last_error!r}):\n{log_tail()}"
    )
