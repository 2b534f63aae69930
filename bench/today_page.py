"""How many bytes a technician's phone transfers to open /today the first time (nothing cached yet).

    .venv/bin/python bench/today_page.py            # needs Debian's chromium, like the browser tests

Builds a throwaway SQLite company with one technician and a full day (6 visits with notes,
addresses and phones), serves the app over real HTTP and opens /today in Chromium as a 360 px
phone, with an empty cache and no service worker yet: the worst case. Counts what crossed the
network per response (the Chrome DevTools Protocol's encodedDataLength: headers and body as
sent; the development server does not compress). Results go in bench/README.md.
"""
import tempfile
import threading
from datetime import UTC, datetime, time, timedelta
from pathlib import Path

from flask_migrate import upgrade
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from dispatch import create_app
from dispatch.auth import service as auth_service
from dispatch.auth.models import Role
from dispatch.core.tx import transaction
from dispatch.customers.models import Customer
from dispatch.extensions import db
from dispatch.scheduling.models import Appointment
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS

PASSWORD = "bench-password"
EMAIL = "tech@bench.example"
VISITS = 6
LIMIT = 200 * 1024


def main() -> None:
    with tempfile.TemporaryDirectory() as folder:
        app = create_app({
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{Path(folder) / 'bench.sqlite3'}",
            "FILES_DIR": str(Path(folder) / "files"), "MAIL_OUTBOX_DIR": str(Path(folder) / "outbox"),
            "SESSION_COOKIE_SECURE": False,
        })
        with app.app_context():
            upgrade()
            technician = auth_service.create_user(EMAIL, "Bench Technician", PASSWORD, Role.TECHNICIAN)
            _book_a_day(technician.id)
        server = make_server("127.0.0.1", 0, app, threaded=True)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        try:
            responses = _measure(f"http://localhost:{server.server_port}")
        finally:
            server.shutdown()
    total = sum(size for _url, size in responses)
    print(f"/today, first visit: {total:,} bytes in {len(responses)} responses ({'under' if total < LIMIT else 'OVER'} 200 KB)")
    for url, size in responses:
        print(f"  {size:>8,}  {url}")


def _book_a_day(technician_id: int) -> None:
    today = datetime.now(UTC).date()
    with transaction():
        for number in range(VISITS):
            customer = Customer(name=f"Customer {number} Facilities Office", email=f"c{number}@bench.example",
                                phone="+1 555 0100", address=f"{100 + number} Lafayette Road, Portsmouth NH 03801")
            db.session.add(customer)
            db.session.flush()
            starts_at = datetime.combine(today, time(8 + number), UTC)
            db.session.add(Appointment(customer_id=customer.id, technician_id=technician_id, starts_at=starts_at,
                                       ends_at=starts_at + timedelta(hours=1), notes="Side door; ask for the plant room key."))


def _measure(base_url: str) -> list:
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 740}, is_mobile=True,
                                      has_touch=True, service_workers="block")
        transferred = _transferred(_logged_in(context))
        browser.close()
    return transferred


def _logged_in(context):
    page = context.new_page()
    page.goto("/login")
    page.get_by_label("Email").fill(EMAIL)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/today")
    return page


def _transferred(page) -> list:
    """(url, bytes on the wire) for every response loading /today brings; the browser's HTTP cache emptied first."""
    session = page.context.new_cdp_session(page)
    session.send("Network.enable")
    session.send("Network.clearBrowserCache")
    urls, sizes = {}, {}
    session.on("Network.responseReceived", lambda event: urls.__setitem__(event["requestId"], event["response"]["url"]))
    session.on("Network.loadingFinished", lambda event: sizes.__setitem__(event["requestId"], event["encodedDataLength"]))
    page.goto("/today", wait_until="networkidle")
    session.detach()
    return [(urls.get(request_id, "?"), size) for request_id, size in sizes.items()]


if __name__ == "__main__":
    main()
