"""Real processes for integration tests: a `mare` command as a partner or operator runs it."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

from broker.settings import Settings

_MARE = [sys.executable, "-c", "from broker.cli import main; main()"]


def mare_env(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MARE_")}
    env.update(
        MARE_TOPIC_NAMESPACE=settings.topic_namespace,
        MARE_APP_ID=settings.app_id,
        MARE_WORKER_ID=settings.worker_id,
        MARE_DATA_DIR=str(settings.data_dir),
        MARE_LOG_FORMAT="json",
        MARE_CACHE_DIR=str(settings.cache_dir),
        MARE_FETCH_WAIT_MS=str(settings.fetch_wait_ms),
    )
    if settings.bootstrap_servers:
        env["MARE_BOOTSTRAP_SERVERS"] = settings.bootstrap_servers
    env.update(extra)
    return env


class MareProcess:
    """A running ``mare`` command whose JSON log lines the test can wait for."""

    def __init__(self, args: list[str], env: dict[str, str], cwd: Path | None = None) -> None:
        self.lines: list[str] = []
        self._seen = threading.Condition()
        self.proc = subprocess.Popen(
            [*_MARE, *args],
            env=env,
            cwd=cwd,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            with self._seen:
                self.lines.append(line.rstrip("\n"))
                self._seen.notify_all()

    def events(self) -> list[dict[str, object]]:
        parsed = []
        for line in list(self.lines):
            if line.startswith("{"):
                try:
                    parsed.append(json.loads(line))
                except json.JSONDecodeError:
                    continue
        return parsed

    def wait_for(self, event: str, timeout: float = 90.0) -> dict[str, object]:
        """Block until a log line with this event name appears (or the process dies)."""
        deadline = time.monotonic() + timeout
        with self._seen:
            while time.monotonic() < deadline:
                for record in self.events():
                    if record.get("event") == event:
                        return record
                if self.proc.poll() is not None:
                    break
                self._seen.wait(0.2)
        raise AssertionError(f"no {event!r} log line; output:\n" + "\n".join(self.lines[-40:]))

    def interrupt(self, timeout: float = 60.0) -> int:
        """Ctrl-C, as an operator stops it."""
        self.proc.send_signal(signal.SIGINT)
        return self.proc.wait(timeout)

    def kill(self) -> None:
        """SIGKILL: no chance to clean up."""
        self.proc.kill()
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


def java_pids_under(path: Path) -> list[int]:
    """Pids of Kafka JVMs whose command line mentions ``path`` (its data dir)."""
    found = []
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes().decode(errors="replace")
            stat = (proc / "stat").read_text()
        except OSError:
            continue
        zombie = stat.rsplit(")", 1)[1].split()[0] == "Z"
        if "kafka.Kafka" in cmdline and str(path) in cmdline and not zombie:
            found.append(int(proc.name))
    return found


def wait_until(predicate: object, timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():  # type: ignore[operator]
            return True
        time.sleep(0.2)
    return False
