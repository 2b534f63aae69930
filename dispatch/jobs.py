"""RQ plumbing: the queue, a worker that runs each job inside the app, the cron schedule.

Jobs take ids, never objects, and use RQ's JSON serializer.
"""
from flask import Flask
from redis import Redis
from rq import Queue, Worker
from rq.cron import CronScheduler
from rq.serializers import JSONSerializer

# (job function, cron expression in UTC); the domains' scheduled jobs are listed here.
CRON_SCHEDULE: list = []


def redis_connection(app: Flask) -> Redis:
    url = app.config["REDIS_URL"]
    if not url:
        raise RuntimeError("REDIS_URL is not set: background jobs run inline, there is no queue to serve")
    return Redis.from_url(url)


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
    AppWorker(app).work(burst=burst)


def run_cron(app: Flask) -> None:
    scheduler = CronScheduler(connection=redis_connection(app))
    for job, expression in CRON_SCHEDULE:
        scheduler.register(job, app.config["RQ_QUEUE"], cron=expression)
    scheduler.start()
