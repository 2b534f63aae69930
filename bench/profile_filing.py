"""CPU time per filing, in-process: a technician files work orders through the Flask test client.

    PYTHONPATH=. .venv/bin/python bench/profile_filing.py [--filings 200] [--profile] [--stats FILE]

Against a throwaway PostgreSQL database (dispatch_bench_e_profile) and Redis (db 14, jobs handed over, not
run): what one filing costs the app's process, without HTTP or gunicorn. Prints the median and mean time
per filing, the process's CPU time per filing (PostgreSQL and Redis are other processes: this is the app's
own CPU, what bounds its rate on a busy machine) and, per filing, the SQL statements, ORM flushes and Python
function calls (the counts do not depend on how busy the machine is, so they compare runs on a shared
machine better than times do).
"""
import argparse
import cProfile
import pstats
import random
import statistics
import time

from sqlalchemy import event
from sqlalchemy.orm import Session

from bench.company import bench_app, fill_company, work_order_body
from bench.filing import _fresh_database, empty_redis
from dispatch.extensions import db
from flask_migrate import upgrade


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--server", default="postgresql://root@127.0.0.1")
    arguments.add_argument("--redis", default="redis://127.0.0.1:6379/14")
    arguments.add_argument("--filings", type=int, default=200)
    arguments.add_argument("--profile", action="store_true", help="run under cProfile and print the slowest calls")
    arguments.add_argument("--stats", help="with --profile: also save the profile to this file (pstats)")
    options = arguments.parse_args()
    empty_redis(options.redis)
    app = bench_app(_fresh_database(options.server, "dispatch_bench_e_profile"), REDIS_URL=options.redis,
                    RQ_QUEUE="dispatch-bench-profile")
    with app.app_context():
        upgrade()
        company = fill_company(1, visits_each=options.filings + 20)
        engine = db.engine
    technician = company.technicians[0]
    client = app.test_client()
    headers = {"Authorization": f"Bearer {technician.token}"}
    rng = random.Random(1)
    statements, flushes = [0], [0]
    event.listen(engine, "before_cursor_execute", lambda *_: statements.__setitem__(0, statements[0] + 1))
    event.listen(Session, "before_flush", lambda *_: flushes.__setitem__(0, flushes[0] + 1))

    def file_one() -> float:
        body = work_order_body(rng, company, technician)
        started = time.perf_counter()
        answer = client.post("/api/v1/work-orders", json=body, headers=headers)
        took = time.perf_counter() - started
        assert answer.status_code == 201, answer.json
        return took

    for _ in range(10):  # warm-up: the year's counters, caches, compiled statements
        file_one()
    statements[0] = flushes[0] = 0
    profiler = cProfile.Profile() if options.profile else None
    if profiler:
        profiler.enable()
    cpu_started = time.process_time()
    took = [file_one() for _ in range(options.filings)]
    cpu = time.process_time() - cpu_started
    if profiler:
        profiler.disable()
        if options.stats:
            profiler.dump_stats(options.stats)
        stats = pstats.Stats(profiler)
        stats.sort_stats("cumulative").print_stats(60)
        print(f"function calls per filing: {stats.total_calls / options.filings:.0f}")
    n = options.filings
    print(f"{n} filings: median {1000 * statistics.median(took):.1f} ms, mean {1000 * statistics.mean(took):.1f} ms, "
          f"best {1000 * min(took):.1f} ms, CPU {1000 * cpu / n:.1f} ms; per filing {statements[0] / n:.1f} SQL statements, {flushes[0] / n:.1f} flushes")


if __name__ == "__main__":
    main()
