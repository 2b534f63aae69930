"""Photos of the job: kept with the work order, shown to those who may see it, never public."""
import io
import re
import uuid

import pytest
from PIL import Image

from tests.workorders.test_views import count_rows, filing_form


def jpeg(colour=(200, 80, 40)) -> bytes:
    kept = io.BytesIO()
    Image.new("RGB", (1600, 1200), colour).save(kept, "JPEG")
    return kept.getvalue()


@pytest.fixture
def technician(shop, browser_as):
    return browser_as(shop.technician.user)


def send_photos(browser, form: dict, photos: list[bytes]):
    token = browser.get("/work-orders/from-phone").json["csrf_token"]
    body = {name: value for name, value in form.items() if name != "csrf_token"}
    body["photos"] = [(io.BytesIO(photo), f"photo-{index}.jpg") for index, photo in enumerate(photos)]
    return browser.post("/work-orders/from-phone", data=body, headers={"X-CSRFToken": token}, content_type="multipart/form-data")


def test_photos_are_kept_with_the_work_order_and_shown_to_the_office(shop, technician, browser_as):
    photos = [jpeg(), jpeg((10, 90, 200))]
    answer = send_photos(technician, filing_form(shop, technician, idempotency_key=uuid.uuid4().hex), photos)
    assert answer.status_code == 201

    office = browser_as("dispatcher")
    page = office.get(answer.json["url"]).get_data(as_text=True)
    assert "Photos of the job" in page
    for number, photo in enumerate(photos, start=1):
        assert f'alt="Photo {number} of the job"' in page
    links = [f"/work-orders/{answer.json['id']}/photos/{photo_id}" for photo_id in _photo_ids(page)]
    assert [office.get(link).data for link in links] == photos
    assert technician.get(links[0]).status_code == 200  # the technician who took them


def test_photos_are_never_public_nor_shown_to_another_technician(shop, technician, browser_as, client):
    answer = send_photos(technician, filing_form(shop, technician, idempotency_key=uuid.uuid4().hex), [jpeg()])
    link = f"/work-orders/{answer.json['id']}/photos/{_photo_ids(technician.get(answer.json['url']).get_data(as_text=True))[0]}"
    assert client.get(link).status_code == 302  # to the login page
    assert browser_as("technician").get(link).status_code == 404
    assert technician.get(f"/work-orders/{answer.json['id']}/photos/999999").status_code == 404


@pytest.mark.parametrize(("photos", "message"), [
    ([b"%PDF-1.4 not a photo"], "Upload a JPEG or PNG file."),
    ([jpeg()] * 13, "Send at most 12 photos with a work order."),
])
def test_what_is_not_a_photo_is_refused_and_nothing_is_filed(app, shop, technician, photos, message):
    before = count_rows(app)
    answer = send_photos(technician, filing_form(shop, technician, idempotency_key=uuid.uuid4().hex), photos)
    assert answer.status_code == 422
    assert answer.json["errors"]["photos"] == [message]
    assert count_rows(app) == before


def test_a_form_posted_without_javascript_takes_photos_too(shop, technician):
    form = filing_form(shop, technician)
    form["photos"] = [(io.BytesIO(jpeg()), "photo.jpg")]
    answer = technician.post("/work-orders/new", data=form, content_type="multipart/form-data")
    assert answer.status_code == 302
    assert "Photos of the job" in technician.get(answer.headers["Location"]).get_data(as_text=True)


def _photo_ids(page: str) -> list[int]:
    return [int(found) for found in dict.fromkeys(re.findall(r"/photos/(\d+)", page))]
