"""A technician files work orders with no signal: kept on the phone, sent once when the signal is back."""
import time

from playwright.sync_api import expect
from sqlalchemy import func, select

from dispatch.extensions import db
from dispatch.invoicing.models import Invoice
from dispatch.workorders.models import WorkOrder
from tests.e2e.test_web_basics import assert_fits_a_phone, log_in

PAGES_KEPT = "dispatch-pages-v1"


def on_the_server(app) -> tuple[int, int]:
    with app.app_context():
        counts = db.session.scalar(select(func.count(WorkOrder.id))), db.session.scalar(select(func.count(Invoice.id)))
        db.session.remove()
    return counts


def open_the_app_with_signal(phone, *paths: str) -> None:
    """What a technician does once with signal: open the app until its service worker runs the page
    and keeps the technician's pages."""
    phone.goto(paths[0])
    phone.wait_for_function("navigator.serviceWorker.ready.then(Boolean)")
    if not phone.evaluate("Boolean(navigator.serviceWorker.controller)"):
        phone.reload()  # a page opened before the worker was ready is not run by it until the next load
    for path in paths:
        phone.wait_for_function(
            """path => navigator.serviceWorker.controller && caches.open('%s').then(cache => cache.match(path)).then(Boolean)""" % PAGES_KEPT,
            arg=path,
        )


def file_offline(phone, summary: str, minutes: str) -> None:
    phone.get_by_label("Customer").select_option(label="Harbor View Dental")
    phone.get_by_label("Summary").fill(summary)
    phone.get_by_label("Minutes", exact=True).first.fill(minutes)
    phone.get_by_role("button", name="File work order").click()
    expect(phone.get_by_role("status").filter(has_text="Saved on this phone")).to_be_visible()


def outbox(phone):
    return phone.locator("[data-outbox] li.queued")


def test_work_orders_filed_offline_reach_the_office_exactly_once(app, phone, shop, smtp_server, jobs_done, tmp_path):
    log_in(phone, shop.technician.user)
    open_the_app_with_signal(phone, "/work-orders/new", "/today")

    phone.context.set_offline(True)
    # The pages come from the phone now (asked through the service worker, as a link or a reload would).
    # Asked until answered, for a few seconds: once in a few runs Chromium's first request after going
    # offline failed before the worker answered it (seen in CI, not understood; a second ask is served).
    for path in ("/work-orders/new", "/today"):
        phone.wait_for_function(
            "path => fetch(path).then(answer => answer.text()).then(kept => kept.includes('File work order'), () => false)",
            arg=path, polling=250, timeout=10_000,
        )
    file_offline(phone, "Replaced condenser fan motor", "45")
    file_offline(phone, "Cleaned the drain line", "30")
    expect(outbox(phone).filter(has_text="Waiting to send")).to_have_count(2)
    expect(phone.get_by_role("link", name="2 on this phone")).to_be_visible()
    assert_fits_a_phone(phone)
    phone.screenshot(path=tmp_path / "offline-waiting.png", full_page=True)
    assert on_the_server(app) == (0, 0)

    phone.context.set_offline(False)  # the signal is back: nobody taps anything
    expect(outbox(phone).filter(has_text="Sent")).to_have_count(2, timeout=15000)
    expect(phone.get_by_role("link", name="2 on this phone")).to_have_count(0)
    phone.screenshot(path=tmp_path / "offline-sent.png", full_page=True)
    assert on_the_server(app) == (2, 2)
    jobs_done()
    assert len(smtp_server.wait_for(2)) == 2

    phone.reload()  # and reloading sends nothing again
    expect(outbox(phone).filter(has_text="Sent")).to_have_count(2)
    jobs_done()
    assert on_the_server(app) == (2, 2)
    time.sleep(0.5)
    assert len(smtp_server.messages) == 2


def test_a_page_killed_while_sending_files_each_work_order_once(app, phone, shop, smtp_server, jobs_done):
    log_in(phone, shop.technician.user)
    open_the_app_with_signal(phone, "/work-orders/new")
    phone.context.set_offline(True)
    file_offline(phone, "Replaced condenser fan motor", "45")
    file_offline(phone, "Cleaned the drain line", "30")

    # The office files the first one, but its answer never comes back: the page dies waiting for it.
    answers_lost = []
    phone.route("**/work-orders/from-phone", lambda route: _file_then_lose_the_answer(route, answers_lost))
    phone.context.set_offline(False)
    deadline = time.monotonic() + 15
    while on_the_server(app)[0] < 1:
        assert time.monotonic() < deadline, "the phone never sent the work order"
        phone.wait_for_timeout(50)  # not time.sleep: the route handler runs only while Playwright is called
    context = phone.context
    phone.close()
    assert on_the_server(app) == (1, 1)

    again = context.new_page()  # the technician opens the app again
    again.goto("/work-orders/new")
    expect(again.locator("[data-outbox] li.queued").filter(has_text="Sent")).to_have_count(2, timeout=15000)
    assert on_the_server(app) == (2, 2)
    jobs_done()
    assert len(smtp_server.wait_for(2)) == 2
    assert answers_lost == [201]


def _file_then_lose_the_answer(route, answers_lost: list) -> None:
    if route.request.method == "POST" and not answers_lost:
        answers_lost.append(route.fetch().status)
        return  # neither fulfilled nor aborted: the request hangs until the page is closed
    route.continue_()


def test_a_work_order_the_office_refuses_is_shown_to_fix_and_resend(app, phone, shop):
    log_in(phone, shop.technician.user)
    open_the_app_with_signal(phone, "/work-orders/new")
    phone.context.set_offline(True)
    phone.get_by_label("Part", exact=True).select_option(label="FAN-MTR-5 Condenser fan motor · 3 in van")
    phone.get_by_label("Quantity").fill("4")  # one more than the van holds
    file_offline(phone, "Replaced condenser fan motors", "45")

    phone.context.set_offline(False)
    refused = outbox(phone).filter(has_text="Not filed")
    expect(refused).to_contain_text("FAN-MTR-5", timeout=15000)
    expect(phone.get_by_role("link", name="1 on this phone")).to_be_visible()
    assert on_the_server(app) == (0, 0)

    refused.get_by_role("link", name="Fix and resend").click()
    expect(phone.get_by_label("Summary")).to_have_value("Replaced condenser fan motors")
    expect(phone.get_by_label("Quantity")).to_have_value("4")
    expect(phone.get_by_role("alert")).to_contain_text("Not filed yet.")
    phone.get_by_label("Quantity").fill("3")
    phone.get_by_role("button", name="File work order").click()

    expect(phone.get_by_role("heading", name="Work order WO-")).to_be_visible()
    assert on_the_server(app) == (1, 1)
    assert shop.stock(shop.fan_motor, shop.van_id) == 0
    phone.goto("/work-orders/new")
    expect(outbox(phone)).to_have_count(1)
    expect(outbox(phone)).to_contain_text("Sent")
