"""RQ plumbing: the outbox, the queue, a worker that runs each job inside the app, the cron schedule.

Background work is requested inside a use case's transaction as an outbox row
(request_job). After commit the row is handed to RQ; if Redis cannot be reached
then, the row waits and a sweep (at worker start and every minute from cron)
hands it over later. RQ keeps a finished job for a day: a row handed over in
the last day whose job Redis no longer holds was lost with Redis (restarted
without persistence), and the sweep hands it over again. Without REDIS_URL the
job runs inline right after commit.
Jobs take ids, never objects, use RQ's JSON serializer and must be idempotent:
a job may run twice.
"""
import importlib
import logging
import os
import signal
import time
from collections.abc import Callable
from datetime import datetime, timedelta

from flask import Flask, current_app
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry, Worker, get_current_job
from rq.cron import CronJob, CronScheduler
from rq.exceptions import StopRequested
from rq.job import Job
from rq.serializers import JSONSerializer
from sqlalchemy import JSON, String, select, update
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Mapped, mapped_column

from dispatch.core.sql import is_postgresql
from dispatch.core.time import UtcDateTime, utcnow
from dispatch.core.tx import after_commit, transaction
from dispatch.extensions import db

log = logging.getLogger(__name__)

JOB_TIMEOUT_SECONDS = 300
# How far back the sweep looks for jobs Redis lost. RQ keeps every job at least this long
# (finished ones by their result_ttl), so a job it does not know within it was lost.
LOST_JOBS_LOOKBACK = timedelta(days=1)


class OutboxMessage(db.Model):
    """A background job requested by a committed transaction, until RQ has it."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    job: Mapped[str] = mapped_column(String(200))
    args: Mapped[list] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    enqueued_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


def request_job(job: Callable, *args) -> str:
    """Ask for `job(*args)` to run once the current transaction has committed; the RQ job id."""
    message = OutboxMessage(job=f"{job.__module__}.{job.__name__}", args=list(args))
    db.session.add(message)
    db.session.flush()
    app, message_id = current_app._get_current_object(), message.id
    # The id is taken now: read after the commit, the expired row would be loaded again just for it.
    after_commit(lambda: _hand_over_after_commit(app, message_id))
    return job_id(message)


def job_id(message) -> str:
    """The RQ job of an outbox row (the row, or a result row with its id and created_at)."""
    # The row's id alone repeats across databases sharing one Redis (each test or staging database
    # starts again at 1): the new job would take over an old one's key, expiry included, and could
    # vanish unrun. The row's creation time does not repeat.
    return f"outbox-{message.id}-{message.created_at:%Y%m%d%H%M%S%f}"


def is_last_attempt() -> bool:
    """Inside a job: will RQ give up if this attempt fails? (Always, when run inline.)"""
    job = get_current_job()
    return job is None or not job.retries_left


def _hand_over_after_commit(app: Flask, message_id: int) -> None:
    """The use case has committed: a database that fails now must not fail the request too."""
    try:
        _hand_over(app, message_id)
    except SQLAlchemyError:
        log.warning("database unreachable after commit: outbox message %s waits for the next sweep", message_id)


def _hand_over(app: Flask, message_id: int) -> None:
    """After commit: give one outbox row to RQ, or run it inline without Redis."""
    # Taken in one UPDATE, committed on its own: a sweep handing the same row over at the same
    # moment finds it taken and gets nothing. One statement, where a transaction of its own cost three.
    with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as connection:
        message = connection.execute(
            update(OutboxMessage)
            .where(OutboxMessage.id == message_id, OutboxMessage.enqueued_at.is_(None))
            .values(enqueued_at=utcnow())
            .returning(OutboxMessage.id, OutboxMessage.job, OutboxMessage.args, OutboxMessage.created_at)
        ).one_or_none()
        if message is None:
            return
        if not app.config["REDIS_URL"]:
            job, args = _resolve(message.job), message.args
        else:
            try:
                _enqueue(app, message)
            except RedisError:
                log.warning("Redis unreachable: outbox message %s waits for the next sweep", message_id)
                connection.execute(update(OutboxMessage).where(OutboxMessage.id == message_id).values(enqueued_at=None))
            return
    # Inline, outside our transaction: the job opens its own, as it would in a worker.
    try:
        job(*args)
    except Exception:
        log.exception("inline job %s%s failed", message.job, tuple(args))


def _enqueue(app: Flask, message) -> None:
    job_queue(app).enqueue(
        message.job,
        *message.args,
        job_id=job_id(message),
        retry=Retry(max=len(app.config["JOB_RETRY_INTERVALS"]), interval=app.config["JOB_RETRY_INTERVALS"]),
        job_timeout=JOB_TIMEOUT_SECONDS,
        result_ttl=int(LOST_JOBS_LOOKBACK.total_seconds()),
    )


def _resolve(job_path: str) -> Callable:
    module, _, name = job_path.rpartition(".")
    return getattr(importlib.import_module(module), name)


def deliver_outbox() -> int:
    """Hand every outbox row still waiting (Redis was down at commit, or lost the job since) to RQ."""
    app = current_app._get_current_object()
    query = select(OutboxMessage.id).where(OutboxMessage.enqueued_at.is_(None)).order_by(OutboxMessage.id)
    if is_postgresql():
        query = query.with_for_update(skip_locked=True)
    with transaction():
        _take_back_lost_jobs(app)
        waiting = list(db.session.scalars(query.limit(1000)))
    for message_id in waiting:
        _hand_over(app, message_id)
    return len(waiting)


def _take_back_lost_jobs(app: Flask) -> None:
    """Rows RQ had, not yet run, whose job Redis no longer holds: waiting again, for the sweep.

    A job Redis still knows (queued, running, waiting to retry, finished, failed) is RQ's to handle.
    """
    if not app.config["REDIS_URL"]:
        return
    handed_over = list(db.session.scalars(
        select(OutboxMessage).where(OutboxMessage.enqueued_at >= utcnow() - LOST_JOBS_LOOKBACK)
    ))
    if not handed_over:
        return
    try:
        with redis_connection(app).pipeline(transaction=False) as pipeline:
            for message in handed_over:
                pipeline.exists(Job.key_for(job_id(message)))
            is_known = pipeline.execute()
    except RedisError:
        return  # nothing can be handed over now anyway
    lost = [message.id for message, known in zip(handed_over, is_known) if not known]
    if lost:
        log.warning("Redis lost the jobs of outbox messages %s: handing them over again", lost)
        db.session.execute(update(OutboxMessage).where(OutboxMessage.id.in_(lost)).values(enqueued_at=None))


def redis_connection(app: Flask) -> Redis:
    """The app's Redis client: one connection pool per app and URL, as for the database.

    A new client per hand-over cost a TCP connection and its handshake on every filing.
    The pool is per process: redis-py starts it afresh in a forked child (gunicorn, RQ's work horse).
    """
    url = app.config["REDIS_URL"]
    if not url:
        raise RuntimeError("REDIS_URL is not set: background jobs run inline, there is no queue to serve")
    clients = app.extensions.setdefault("dispatch.redis", {})
    if url not in clients:
        clients[url] = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=10)
    return clients[url]


def job_queue(app: Flask) -> Queue:
    return Queue(app.config["RQ_QUEUE"], connection=redis_connection(app), serializer=JSONSerializer)


class AppWorker(Worker):
    """An RQ worker for Dispatch: the app is built once, each job runs in an app context of it."""

    def __init__(self, app: Flask, **kwargs):
        self.app = app
        super().__init__([job_queue(app)], connection=redis_connection(app), serializer=JSONSerializer, **kwargs)

    def perform_job(self, job, queue, *args, **kwargs):
        with self.app.app_context():
            return super().perform_job(job, queue, *args, **kwargs)


def run_worker(app: Flask, burst: bool = False) -> None:
    """Work until stopped; through a Redis outage too: wait for it to answer, then start again."""
    from dispatch.invoicing.pdf import parse_fonts  # here: invoicing imports this module

    if app.config["WORKER_NICENESS"]:
        os.nice(app.config["WORKER_NICENESS"])
    # Before RQ forks a work horse per job: each inherits the parsed fonts instead of parsing them again.
    parse_fonts()
    while True:
        with app.app_context():
            # What was filed while Redis was away, or what Redis lost, goes out first.
            deliver_outbox()
            # Each job runs in a work horse forked from this process: without this, every one would
            # inherit and share our database connection, and the statements psycopg prepared on it.
            db.engine.dispose()
        try:
            # The scheduler runs retries that wait (Retry intervals).
            AppWorker(app).work(burst=burst, with_scheduler=True)
            return
        except RedisError:
            if burst:
                raise
            log.warning("Redis unreachable: the worker starts again once it answers")
            _wait_for_redis(app)


def _wait_for_redis(app: Flask) -> None:
    # RQ's handlers are still installed, for a worker that has gone: a stop request now just stops.
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    while True:
        try:
            redis_connection(app).ping()
            return
        except RedisError:
            time.sleep(1)


def cron_schedule() -> list[tuple[Callable, dict]]:
    """(job, when) pairs for `dispatch cron`; `when` is RQ's interval= or cron= (UTC)."""
    from dispatch.core.idempotency import forget_expired
    from dispatch.inventory.jobs import email_low_stock_digest
    from dispatch.invoicing.jobs import chase_payments
    from dispatch.reports.jobs import compute_last_month, compute_month_to_date
    from dispatch.scheduling.jobs import generate_maintenance_visits

    return [
        (deliver_outbox, {"interval": 60}),
        (forget_expired, {"cron": "17 * * * *"}),
        # Morning in the Americas, afternoon in Europe: reminders arrive in office hours.
        (chase_payments, {"cron": "0 13 * * *"}),
        # Hours after midnight in the Americas (cron runs in UTC): the company's day has ended when these run.
        (compute_last_month, {"cron": "0 8 1 * *"}),
        (compute_month_to_date, {"cron": "30 8 * * *"}),
        # Before the office opens in the Americas: the dispatcher starts the day with what to reorder.
        (email_low_stock_digest, {"cron": "0 11 * * *"}),
        # Every morning in the Americas, before the office opens: the plans' visits appear on the board.
        (generate_maintenance_visits, {"cron": "0 10 * * *"}),
    ]


class JsonCronJob(CronJob):
    """rq's cron job, put on the queue with our JSON serializer: rq's own pickles, which our workers refuse."""

    def enqueue(self, connection: Redis):
        queue = Queue(self.queue_name, connection=connection, serializer=JSONSerializer)
        return queue.enqueue(self.func, args=self.args, kwargs=self.kwargs, **self.job_options)


class AppCronScheduler(CronScheduler):
    def register(self, func: Callable, queue_name: str, **when) -> JsonCronJob:
        cron_job = JsonCronJob(queue_name=queue_name, func=func, **when)
        self._cron_jobs.append(cron_job)
        return cron_job


def run_cron(app: Flask) -> None:
    # rq reads cron expressions in the process's local time: make that UTC, as the schedule is written.
    os.environ["TZ"] = "UTC"
    time.tzset()
    scheduler = AppCronScheduler(connection=redis_connection(app))
    for job, when in cron_schedule():
        scheduler.register(job, app.config["RQ_QUEUE"], **when)
    try:
        scheduler.start()
    except StopRequested:
        # rq turns SIGTERM into a clean stop only once its loop runs; told to stop while it was
        # still registering itself (a deploy restarting it at once), it must stop cleanly too.
        scheduler.log.info("CronScheduler %s: stopped while starting", scheduler.name)
