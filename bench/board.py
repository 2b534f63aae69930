"""How long the server takes to answer GET /board?view=week for 50 technicians × a week of visits.

    .venv/bin/python bench/board.py                      # a throwaway SQLite file
    .venv/bin/python bench/board.py --database-url postgresql://root@127.0.0.1/dispatch_bench   # an EMPTY, disposable database

Builds the company in the database (migrations, then users, customers and appointments written
directly: the booking rules are not what is measured), logs a dispatcher in, and times the page
through the app in-process: server time only, no network, no browser. Results go in bench/README.md.
"""
import argparse
import statistics
import tempfile
import time as clock
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

from flask_migrate import upgrade
from sqlalchemy import event

from dispatch import create_app
from dispatch.auth import service as auth_service
from dispatch.auth.models import Role
from dispatch.core.tx import transaction
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.scheduling.models import Appointment, AppointmentKind, TimeOff

PASSWORD = "bench-password"
VISITS_A_DAY = 6
KINDS = list(AppointmentKind)


def main() -> None:
    arguments = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    arguments.add_argument("--database-url", help="an empty database to fill (default: a throwaway SQLite file)")
    arguments.add_argument("--technicians", type=int, default=50)
    arguments.add_argument("--rounds", type=int, default=30)
    options = arguments.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = options.database_url or f"sqlite:///{Path(folder) / 'bench.sqlite3'}"
        if url.startswith(("postgres://", "postgresql://")):
            url = "postgresql+psycopg://" + url.split("://", 1)[1]
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench", "WTF_CSRF_ENABLED": False,
            "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 8, "ARGON2_PARALLELISM": 1,
        })
        monday = _next_monday()
        with app.app_context():
            upgrade()
            dispatcher_email = _fill(monday, options.technicians)
        _time_the_board(app, dispatcher_email, monday, options.rounds)


def _next_monday() -> date:
    today = datetime.now(UTC).date()
    return today + timedelta(days=7 - today.weekday())


def _fill(monday: date, technicians: int) -> str:
    with transaction():
        dispatcher = auth_service.create_user("dispatcher@bench.example", "Dana Dispatcher", PASSWORD, Role.DISPATCHER)
        crew = [auth_service.create_user(f"tech{n}@bench.example", f"Technician {n:02d}", PASSWORD, Role.TECHNICIAN) for n in range(technicians)]
        customers = [Customer(name=f"Customer {n:03d}", email=f"c{n}@bench.example", address=f"{n} Harbor Rd") for n in range(300)]
        db.session.add_all(customers)
        db.session.flush()
        visits = []
        for number, technician in enumerate(crew):
            for offset in range(7):
                day = monday + timedelta(days=offset)
                for slot in range(VISITS_A_DAY):
                    starts_at = datetime.combine(day, time(8), UTC) + timedelta(minutes=90 * slot)
                    visits.append(Appointment(
                        customer_id=customers[(number * 7 + slot) % len(customers)].id, technician_id=technician.id,
                        starts_at=starts_at, ends_at=starts_at + timedelta(hours=1), kind=KINDS[slot % len(KINDS)],
                    ))
            if number % 10 == 0:
                db.session.add(TimeOff(technician_id=technician.id, starts_at=datetime.combine(monday, time(), UTC),
                                       ends_at=datetime.combine(monday + timedelta(days=1), time(), UTC), reason="Training"))
        for number in range(40):
            starts_at = datetime.combine(monday + timedelta(days=number % 5), time(10), UTC)
            visits.append(Appointment(customer_id=customers[number].id, technician_id=None, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)))
        db.session.add_all(visits)
    print(f"{technicians} technicians, {len(visits)} appointments ({len(visits) - 40} on the board, 40 unassigned)")
    return dispatcher.email


def _time_the_board(app, dispatcher_email: str, monday: date, rounds: int) -> None:
    client = app.test_client()
    assert client.post("/login", data={"email": dispatcher_email, "password": PASSWORD}).status_code == 302
    url = f"/board?view=week&on={monday}"
    statements = []
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *args: statements.append(args[2]))
    for _warm_up in range(3):
        answer = client.get(url)
        assert answer.status_code == 200, answer.status_code
    statements.clear()
    seconds = []
    for _round in range(rounds):
        started = clock.perf_counter()
        answer = client.get(url)
        seconds.append(clock.perf_counter() - started)
    milliseconds = sorted(1000 * value for value in seconds)
    print(f"GET {url}: {len(answer.data) // 1024} KiB, {len(statements) // rounds} SQL statements a request")
    print(f"server time over {rounds} requests: median {statistics.median(milliseconds):.0f} ms, "
          f"p90 {milliseconds[int(0.9 * len(milliseconds)) - 1]:.0f} ms, best {milliseconds[0]:.0f} ms")


if __name__ == "__main__":
    main()
