"""The technician's phone: the job timer across reloads, the customer's signature on the invoice, photos."""
import io
import re
from datetime import UTC, datetime, time, timedelta

from PIL import Image, ImageChops
from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_web_basics import assert_fits_a_phone, log_in


def book_today(shop) -> int:
    starts_at = datetime.combine(datetime.now(UTC).date(), time(9), UTC)
    answer = shop.dispatcher.post("/appointments", json={
        "customer_id": shop.customer["id"], "technician_id": shop.technician.user.id, "starts_at": starts_at.isoformat(),
        "ends_at": (starts_at + timedelta(hours=1)).isoformat(), "override": True,
    })
    assert answer.status_code == 201, answer.json
    return answer.json["id"]


def test_the_job_timer_keeps_running_across_a_reload_and_switches_in_one_tap(phone, shop):
    visit = book_today(shop)
    log_in(phone, shop.technician.user)
    phone.get_by_role("button", name="On my way").click()  # starts the travel time too
    phone.get_by_role("link", name="Finish").click()
    expect(phone.get_by_role("button", name="Travel")).to_have_attribute("aria-pressed", "true")

    phone.wait_for_timeout(1500)
    phone.reload()
    expect(phone.get_by_label("Appointment")).to_have_value(str(visit))
    expect(phone.locator(".job-timer .clock")).to_contain_text(re.compile(r"Travel 0:00:0[1-9]"))
    phone.get_by_role("button", name="On site").click()
    expect(phone.get_by_role("button", name="On site")).to_have_attribute("aria-pressed", "true")
    travel_row = phone.locator("[data-rows=labor] [data-row]").filter(has=phone.locator("select option:checked", has_text="Travel time"))
    expect(travel_row.get_by_label("Minutes", exact=True)).to_have_value("1")  # at least a minute for a job begun

    phone.reload()
    expect(phone.locator(".job-timer .clock")).to_contain_text("On site")
    expect(travel_row.get_by_label("Minutes", exact=True)).to_have_value("1")
    phone.get_by_role("button", name="Stop").click()
    expect(phone.locator(".job-timer .clock")).to_contain_text("Timer stopped")
    onsite_row = phone.locator("[data-rows=labor] [data-row]").filter(has=phone.locator("select option:checked", has_text="On-site labour"))
    expect(onsite_row.get_by_label("Minutes", exact=True)).to_have_value("1")
    assert_fits_a_phone(phone)


def photo_png() -> bytes:
    """A photo as the camera would give it: bigger than what the phone sends."""
    image = Image.new("RGB", (3000, 2000), (40, 120, 200))
    kept = io.BytesIO()
    image.save(kept, "PNG")
    return kept.getvalue()


def sign(phone) -> None:
    pad = phone.get_by_label("Signature")
    pad.scroll_into_view_if_needed()
    box = pad.bounding_box()
    phone.mouse.move(box["x"] + 20, box["y"] + box["height"] * 0.7)
    phone.mouse.down()
    for step in range(1, 12):
        phone.mouse.move(box["x"] + 20 + step * 25, box["y"] + box["height"] * (0.7 - 0.4 * (step % 2)))
    phone.mouse.up()


def test_the_customer_signs_on_the_phone_and_the_signature_is_on_the_invoice_pdf(app, phone, shop, make_user, new_page, tmp_path):
    log_in(phone, shop.technician.user)
    phone.goto("/work-orders/new")
    phone.get_by_label("Customer").select_option(label="Harbor View Dental")
    phone.get_by_label("Summary").fill("Replaced condenser fan motor")
    phone.get_by_label("Minutes", exact=True).fill("45")
    phone.get_by_label("Take or choose photos").set_input_files({"name": "job.png", "mimeType": "image/png", "buffer": photo_png()})
    expect(phone.get_by_role("img", name="Photo 1")).to_be_visible()
    sign(phone)
    phone.get_by_label("Name of the person signing").fill("Dana Whitfield")
    assert_fits_a_phone(phone)
    phone.screenshot(path=tmp_path / "work-order-signed.png", full_page=True)
    phone.get_by_role("button", name="File work order").click()

    expect(phone.get_by_role("heading", name=re.compile("Work order WO-"))).to_be_visible()
    expect(phone.get_by_role("img", name="Signature of Dana Whitfield")).to_be_visible()
    work_order_id = int(phone.url.rsplit("/", 1)[1])
    work_order = shop.dispatcher.get(f"/work-orders/{work_order_id}").json
    invoice_id = work_order["invoice_id"]

    pdf = PdfReader(io.BytesIO(shop.dispatcher.get(f"/invoices/{invoice_id}/pdf").data))
    assert "Dana Whitfield" in pdf.pages[0].extract_text()
    [signature] = pdf.pages[0].images
    drawn = Image.open(io.BytesIO(signature.data)).convert("RGBA")
    opaque = drawn.getchannel("A").point(lambda alpha: 255 if alpha > 128 else 0)
    dark = drawn.convert("L").point(lambda value: 255 if value < 100 else 0)
    ink = ImageChops.multiply(opaque, dark).histogram()[255]
    # The strokes drawn with the mouse on an empty box: some dark pixels, most of the box left blank.
    assert 50 < ink < drawn.width * drawn.height // 4

    # The dispatcher sees the photo, made smaller on the phone; nobody logged out does.
    office = new_page()
    log_in(office, make_user("dispatcher"))
    office.goto(f"/work-orders/{work_order_id}")
    photo = office.get_by_role("img", name="Photo 1 of the job")
    expect(photo).to_be_visible()
    taken = office.request.get(photo.get_attribute("src"))
    assert taken.headers["content-type"] == "image/jpeg"
    assert max(Image.open(io.BytesIO(taken.body())).size) == 1600
    assert new_page().request.get(photo.get_attribute("src"), max_redirects=0).status == 302


def test_the_technicians_pages_fit_a_phone(phone, shop, tmp_path):
    book_today(shop)
    log_in(phone, shop.technician.user)
    for path, name in (("/today", "today"), ("/work-orders/new", "file-work-order"), ("/stock/", "van-stock"), ("/payroll/me", "my-pay")):
        phone.goto(path)
        assert_fits_a_phone(phone)
        phone.screenshot(path=tmp_path / f"phone-{name}.png", full_page=True)
