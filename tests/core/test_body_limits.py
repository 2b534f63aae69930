"""Oversized bodies are refused with 413 before anything reads them: a JSON error for the API, a page for forms."""
import io
import uuid
from pathlib import Path

from dispatch.core.body_limits import FILING_WITH_PHOTOS, MEGABYTE, ONE_FILE
from tests.conftest import csrf_token
from tests.reports.test_expenses import expenses_stored
from tests.workorders.test_views import count_rows, filing_form

PDF = b"%PDF-1.4\n"


def files_kept(app) -> set[Path]:
    """Every file under FILES_DIR (the folder outlives a test: compare before and after)."""
    return {path for path in Path(app.config["FILES_DIR"]).rglob("*") if path.is_file()}


def test_a_json_body_over_one_megabyte_is_refused_and_nothing_is_saved(dispatcher_api):
    customer = {"name": "Harbor View Dental", "email": "office@harborview.example", "address": "x" * MEGABYTE}
    answer = dispatcher_api.post("/customers", json=customer)
    assert answer.status_code == 413
    assert answer.json["message"] == "Too large: at most 1 MB can be sent here."
    assert dispatcher_api.get("/customers").json == []


def test_a_json_body_under_the_limit_is_read_as_usual(dispatcher_api):
    answer = dispatcher_api.post("/customers", json={"name": "Harbor View Dental", "notes_padding": " " * (MEGABYTE // 2)})
    assert answer.status_code == 422  # read and judged by the schema, not refused for its size
    assert "notes_padding" in answer.json["errors"]


def test_a_document_of_ten_megabytes_is_taken_and_a_larger_body_is_refused(app, shop):
    def upload(content: bytes):
        data = {"title": "Survey", "is_confidential": "false", "file": (io.BytesIO(content), "survey.pdf")}
        return shop.dispatcher.post(f"/customers/{shop.customer['id']}/documents", data=data, content_type="multipart/form-data")

    kept_before = files_kept(app)
    assert upload(PDF + b"0" * (10 * MEGABYTE - len(PDF))).status_code == 201
    refused = upload(PDF + b"0" * ONE_FILE)
    assert refused.status_code == 413
    assert refused.json["message"] == "Too large: at most 11 MB can be sent here."
    assert len(shop.dispatcher.get(f"/customers/{shop.customer['id']}/documents").json) == 1
    assert len(files_kept(app) - kept_before) == 1


def test_an_oversized_receipt_gets_a_page_saying_so_and_nothing_is_saved(app, browser_as):
    owner = browser_as("owner")
    kept_before = files_kept(app)
    form = {
        "csrf_token": csrf_token(owner.get("/reports/expenses?month=2027-01")),
        "category": "insurance", "amount": "310.00", "spent_on": "2027-01-07",
        "receipt": (io.BytesIO(PDF + b"0" * ONE_FILE), "policy.pdf"),
    }
    answer = owner.post("/reports/expenses?month=2027-01", data=form, content_type="multipart/form-data")
    assert answer.status_code == 413
    assert answer.mimetype == "text/html"
    assert "Too large: at most 11 MB can be sent here." in answer.get_data(as_text=True)
    assert expenses_stored(app) == 0
    assert files_kept(app) == kept_before


def test_a_plain_form_over_one_megabyte_gets_the_page(browser_as):
    office = browser_as("dispatcher")
    form = {"csrf_token": csrf_token(office.get("/customers/new")), "name": "Harbor View Dental", "address": "x" * MEGABYTE}
    answer = office.post("/customers/new", data=form)
    assert answer.status_code == 413
    assert "at most 1 MB" in answer.get_data(as_text=True)
    assert "Harbor View Dental" not in office.get("/customers/").get_data(as_text=True)


def test_the_phone_files_with_photos_up_to_its_limit_and_no_further(app, shop, browser_as):
    technician = browser_as(shop.technician.user)
    token = technician.get("/work-orders/from-phone").json["csrf_token"]
    before, kept_before = count_rows(app), files_kept(app)
    form = filing_form(shop, technician, idempotency_key=uuid.uuid4().hex)
    form.pop("csrf_token", None)
    form["photos"] = [(io.BytesIO(b"\xff\xd8\xff" + b"0" * (FILING_WITH_PHOTOS // 4)), f"photo{n}.jpg") for n in range(4)]
    headers = {"X-CSRFToken": token, "Accept": "application/json"}  # as queue.js sends it
    answer = technician.post("/work-orders/from-phone", data=form, headers=headers, content_type="multipart/form-data")
    assert answer.status_code == 413
    # JSON, so the phone shows it as refused instead of sending the same 40 MB again and again.
    assert answer.json["message"] == "Too large: at most 40 MB can be sent here."
    assert count_rows(app) == before
    assert files_kept(app) == kept_before
