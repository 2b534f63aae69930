"""Fixtures of the fault tests: a Redis and workers of the test's own, which it may stop and kill."""
import pytest

from dispatch.jobs import job_queue
from tests.conftest import worker_environment
from tests.faults.services import RedisServer, WorkerProcess


@pytest.fixture
def own_redis(app, tmp_path, monkeypatch):
    """A Redis only this test uses; the app hands its jobs to it."""
    server = RedisServer(tmp_path)
    server.start()
    monkeypatch.setitem(app.config, "REDIS_URL", server.url)
    yield server
    server.stop()


@pytest.fixture
def start_worker(app, own_redis, tmp_path):
    """start_worker() → a `dispatch worker` on the test's own Redis, listening; stopped after the test."""
    started = []

    def start() -> WorkerProcess:
        worker = WorkerProcess(
            {**worker_environment(app), "REDIS_URL": own_redis.url,
             "JOB_RETRY_INTERVALS": ",".join(map(str, app.config["JOB_RETRY_INTERVALS"]))},
            tmp_path / "worker.log",
        )
        started.append(worker)
        worker.start(job_queue(app))
        return worker

    yield start
    for worker in started:
        worker.stop()


@pytest.fixture
def own_worker(start_worker):
    return start_worker()
