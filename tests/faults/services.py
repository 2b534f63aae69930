"""Services the fault tests own, so they can stop them: Redis, a `dispatch worker`, a PostgreSQL cluster.

The shared PostgreSQL and Redis stay up for everyone else; these run on free
ports of their own and are torn down by the tests that started them.
"""
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

from redis import Redis
from redis.exceptions import RedisError
from rq import Worker

DISPATCH = str(Path(sys.executable).parent / "dispatch")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_until(is_ready, seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while not is_ready():
        assert time.monotonic() < deadline, f"{what} did not happen within {seconds} s"
        time.sleep(0.05)


class RedisServer:
    """A redis-server without persistence: stopping it loses whatever it held, as a crash would."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.port = free_port()
        self.process = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
             "--daemonize", "no", "--dir", str(self.directory)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        wait_until(self.is_up, 10, "redis-server start")

    def stop(self) -> None:
        if self.process is not None:
            self.process.kill()
            self.process.wait(timeout=10)
            self.process = None

    def is_up(self) -> bool:
        try:
            return Redis.from_url(self.url, socket_connect_timeout=0.5).ping()
        except RedisError:
            return False


class WorkerProcess:
    """`dispatch worker` as operators run it, on the given environment."""

    def __init__(self, environment: dict, log: Path):
        self.environment = environment
        self.log = log
        self.process = None

    def start(self, queue) -> None:
        with self.log.open("a") as output:
            self.process = subprocess.Popen([DISPATCH, "worker"], env=self.environment, stdout=output, stderr=subprocess.STDOUT)
        wait_until(lambda: self._is_listening(queue), 60, f"worker start ({self.log})")

    def _is_listening(self, queue) -> bool:
        assert self.process.poll() is None, self.log.read_text()
        return any(worker.pid == self.process.pid for worker in Worker.all(queue=queue))

    def work_horse_pid(self) -> int | None:
        """The process running the current job: RQ forks one per job, leading its own process group."""
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        for child in map(int, children):
            try:
                if os.getpgid(child) == child:
                    return child
            except ProcessLookupError:
                continue
        return None

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None


class PostgresCluster:
    """A throwaway PostgreSQL cluster in a temporary folder, run as the `postgres` user (it refuses root)."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.data = directory / "data"
        self.port = free_port()
        self.bin = Path(sorted(glob.glob("/usr/lib/postgresql/*/bin"))[-1])

    def url(self, database: str = "postgres") -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def create(self) -> None:
        self.directory.mkdir(parents=True, exist_ok=True)
        shutil.chown(self.directory, "postgres", "postgres")
        self._as_postgres("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust", "--no-sync", "-E", "UTF8")
        self.start()

    def start(self) -> None:
        options = f"-p {self.port} -k {self.directory} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._as_postgres("pg_ctl", "-D", str(self.data), "-o", options, "-l", str(self.directory / "log"), "-w", "start")

    def stop(self) -> None:
        """A fast shutdown: open connections are cut, new ones refused until start()."""
        self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "fast", "-w", "stop")

    def destroy(self) -> None:
        if (self.data / "postmaster.pid").exists():
            self._as_postgres("pg_ctl", "-D", str(self.data), "-m", "immediate", "-w", "stop")
        shutil.rmtree(self.directory, ignore_errors=True)

    def _as_postgres(self, program: str, *args: str) -> None:
        done = subprocess.run(
            ["runuser", "-u", "postgres", "--", str(self.bin / program), *args],
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, cwd="/tmp",
        )
        assert done.returncode == 0, f"{program} failed: {done.stderr}"
