"""Filing from the phone's queue: the customer's sign-off, sent once however often it is resent."""
import io
import uuid

import pytest
from PIL import Image
from pypdf import PdfReader
from sqlalchemy import select, update

from dispatch.core.idempotency import IdempotencyKey
from dispatch.core.time import utcnow
from dispatch.extensions import db
from tests.workorders.test_views import count_rows, filing_form


def signature_png() -> bytes:
    image = Image.new("RGBA", (600, 200), (0, 0, 0, 0))
    for x in range(50, 550):
        image.putpixel((x, 100 + (x % 40) - 20), (0, 0, 0, 255))
    kept = io.BytesIO()
    image.save(kept, "PNG")
    return kept.getvalue()


@pytest.fixture
def technician(shop, browser_as):
    return browser_as(shop.technician.user)


def send(browser, form: dict, **files):
    """What queue.js sends: the kept form, its key, a fresh CSRF token in the header, files as parts."""
    token = browser.get("/work-orders/from-phone").json["csrf_token"]
    body = {name: value for name, value in form.items() if name != "csrf_token"}
    body.update({name: (io.BytesIO(content), f"{name}.png") for name, content in files.items()})
    return browser.post("/work-orders/from-phone", data=body, headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def test_a_signed_work_order_keeps_the_signature_and_prints_it_on_the_invoice(app, shop, technician, browser_as, file_store):
    form = filing_form(shop, technician, idempotency_key=uuid.uuid4().hex, signed_by="Dana Whitfield")
    answer = send(technician, form, signature=signature_png())

    assert answer.status_code == 201, answer.json
    work_order = shop.dispatcher.get(f"/work-orders/{answer.json['id']}").json
    assert answer.json["url"] == f"/work-orders/{work_order['id']}"
    office = browser_as("dispatcher")
    page = office.get(answer.json["url"]).get_data(as_text=True)
    assert "Signed by the customer" in page and "Dana Whitfield" in page
    signature = office.get(f"/work-orders/{work_order['id']}/signature")
    assert signature.status_code == 200 and signature.data == signature_png()
    assert signature.headers["Cache-Control"] == "private, no-store"
    pdf = PdfReader(io.BytesIO(shop.dispatcher.get(f"/invoices/{work_order['invoice_id']}/pdf").data))
    assert "Work approved by the customer:" in pdf.pages[0].extract_text()
    assert "Dana Whitfield" in pdf.pages[0].extract_text()
    assert len(pdf.pages[0].images) == 1


def test_an_unsigned_work_order_prints_no_sign_off(shop, technician):
    answer = send(technician, filing_form(shop, technician, idempotency_key=uuid.uuid4().hex))
    assert answer.status_code == 201
    invoice_id = shop.dispatcher.get(f"/work-orders/{answer.json['id']}").json["invoice_id"]
    pdf = PdfReader(io.BytesIO(shop.dispatcher.get(f"/invoices/{invoice_id}/pdf").data))
    assert "approved by the customer" not in pdf.pages[0].extract_text()
    assert technician.get(f"/work-orders/{answer.json['id']}/signature").status_code == 404


@pytest.mark.parametrize(("changes", "files", "field"), [
    ({"signed_by": "Dana Whitfield"}, {}, "signature"),
    ({}, {"signature": signature_png()}, "signed_by"),
    ({"signed_by": "Dana Whitfield"}, {"signature": b"\xff\xd8\xff a jpeg, not a drawing"}, "signature"),
])
def test_half_a_sign_off_is_refused_and_nothing_is_filed(app, shop, technician, changes, files, field):
    before = count_rows(app)
    answer = send(technician, filing_form(shop, technician, idempotency_key=uuid.uuid4().hex, **changes), **files)
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    assert count_rows(app) == before


def test_a_refused_filing_leaves_no_file_behind(app, shop, technician, file_store):
    """The signature is kept before a photo turns out to be no image: the rollback takes the signature away too."""
    form = filing_form(shop, technician, idempotency_key=uuid.uuid4().hex, signed_by="Dana Whitfield")
    answer = send(technician, form, signature=signature_png(), photos=b"%PDF-1.4 not a photo")
    assert answer.status_code == 422 and "photos" in answer.json["errors"]
    assert file_store() == []
    answer = send(technician, {**form, "idempotency_key": uuid.uuid4().hex}, signature=signature_png())
    assert answer.status_code == 201 and len(file_store()) == 1


def test_sending_the_same_work_order_again_files_it_once(app, shop, technician):
    form = filing_form(shop, technician, idempotency_key=uuid.uuid4().hex, signed_by="Dana Whitfield")
    first = send(technician, form, signature=signature_png())
    before = count_rows(app)
    again = send(technician, form, signature=signature_png())

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json == first.json
    assert count_rows(app) == before


def test_a_refused_work_order_can_be_fixed_and_resent_with_its_key(app, shop, technician):
    form = filing_form(shop, technician, idempotency_key=uuid.uuid4().hex, part_quantity=["4"])  # 3 in the van
    before = count_rows(app)
    refused = send(technician, form)
    assert refused.status_code == 409
    assert "FAN-MTR-5" in refused.json["message"]
    assert count_rows(app) == before

    fixed = send(technician, {**form, "part_quantity": ["3"]})
    assert fixed.status_code == 201
    assert shop.stock(shop.fan_motor, shop.van_id) == 0


def test_a_resend_while_the_first_is_still_being_filed_is_told_to_retry(app, shop, technician):
    form = filing_form(shop, technician, idempotency_key=uuid.uuid4().hex)
    assert send(technician, form).status_code == 201
    with app.app_context():  # as if the first sending were still being filed when the phone resends
        db.session.execute(update(IdempotencyKey).values(status_code=None, response_body=None, created_at=utcnow()))
        db.session.commit()
    before = count_rows(app)
    with app.app_context(), db.engine.connect() as first_sending:
        # Still being filed: on PostgreSQL that request holds its claim's row lock (SQLite goes by the claim's age).
        if first_sending.dialect.name == "postgresql":
            first_sending.execute(select(IdempotencyKey).with_for_update())
        answer = send(technician, form)
    assert answer.status_code == 409
    assert answer.headers["Retry-After"]  # queue.js keeps it waiting rather than showing it as refused
    assert count_rows(app) == before


def test_the_phone_must_name_its_work_order(app, shop, technician):
    answer = send(technician, filing_form(shop, technician))
    assert answer.status_code == 422
    assert "idempotency_key" in answer.json["errors"]


def test_without_a_fresh_token_nothing_is_filed(app, shop, technician):
    form = {name: value for name, value in filing_form(shop, technician, idempotency_key="k1").items() if name != "csrf_token"}
    assert technician.post("/work-orders/from-phone", data=form).status_code == 400


def test_the_session_never_opens_the_api(shop, technician):
    assert technician.get("/api/v1/work-orders/1").status_code == 401


def test_only_technicians_send_from_the_phone(shop, browser_as):
    office = browser_as("dispatcher")
    assert office.get("/work-orders/from-phone").status_code == 403
