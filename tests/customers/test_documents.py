"""Client documents: the confidential section is for the owner and the person who added a report; every read is recorded.
Every test runs with the files on disk and in a non-disk object store."""
import io

import pytest

PDF = b"%PDF-1.4\n% a third party's report\n"


@pytest.fixture(autouse=True)
def stored(file_store):
    return file_store


def upload(api, customer_id, title="Referral report", confidential=True, content=PDF, filename="report.pdf", **extra):
    data = {"title": title, "is_confidential": "true" if confidential else "false", **extra}
    if content is not None:
        data["file"] = (io.BytesIO(content), filename)
    return api.post(f"/customers/{customer_id}/documents", data=data, content_type="multipart/form-data")


@pytest.fixture
def report(shop):
    answer = upload(shop.dispatcher, shop.customer["id"], received_from="Coastal Engineering")
    assert answer.status_code == 201, answer.json
    return answer.json


def test_the_person_who_added_a_report_and_the_owner_read_it(shop, report, stored):
    assert (report["is_confidential"], report["content_type"], report["size_bytes"]) == (True, "application/pdf", len(PDF))
    assert len(stored()) == 1
    for reader in (shop.dispatcher, shop.owner):
        answer = reader.get(f"/documents/{report['id']}")
        assert answer.status_code == 200 and answer.data == PDF and answer.mimetype == "application/pdf"
    reads = shop.owner.get(f"/documents/{report['id']}/reads").json
    assert [(read["reader_id"], read["was_allowed"]) for read in reads] == [(shop.owner.user.id, True), (shop.dispatcher.user.id, True)]


def test_anyone_else_gets_404_and_the_attempt_is_recorded(shop, report, api_as, make_user):
    other_dispatcher = api_as(make_user("dispatcher"))
    for intruder in (other_dispatcher, shop.technician):
        answer = intruder.get(f"/documents/{report['id']}")
        assert answer.status_code == 404 and answer.data != PDF
    reads = shop.owner.get(f"/documents/{report['id']}/reads").json
    assert [(read["reader_id"], read["was_allowed"]) for read in reads] == [
        (shop.technician.user.id, False), (other_dispatcher.user.id, False),
    ]
    # Not listed to them either; the owner sees it.
    assert other_dispatcher.get(f"/customers/{shop.customer['id']}/documents").json == []
    assert [document["id"] for document in shop.owner.get(f"/customers/{shop.customer['id']}/documents").json] == [report["id"]]
    assert other_dispatcher.get(f"/documents/{report['id']}/reads").status_code == 403


def test_a_general_document_is_for_all_the_office_but_not_technicians(shop, api_as, make_user):
    document = upload(shop.dispatcher, shop.customer["id"], title="Site plan", confidential=False).json
    assert api_as(make_user("dispatcher")).get(f"/documents/{document['id']}").status_code == 200
    assert shop.technician.get(f"/documents/{document['id']}").status_code == 404


def test_files_over_the_limit_or_of_another_type_are_refused(shop, stored):
    customer_id = shop.customer["id"]
    too_big = upload(shop.dispatcher, customer_id, content=b"%PDF-" + b"0" * (10 * 1024 * 1024))
    assert too_big.status_code == 422 and "10 MB" in too_big.json["errors"]["file"][0]
    script = upload(shop.dispatcher, customer_id, content=b"#!/bin/sh\nrm -rf /\n", filename="report.pdf")
    assert script.status_code == 422 and "file" in script.json["errors"]
    assert upload(shop.dispatcher, customer_id, content=None).status_code == 422
    assert upload(shop.dispatcher, customer_id, title=" ").status_code == 422
    assert shop.owner.get(f"/customers/{customer_id}/documents").json == []
    assert upload(shop.technician, customer_id).status_code == 403
    assert stored() == []


def test_a_missing_document_is_404(shop):
    assert shop.owner.get("/documents/999999").status_code == 404
