"""The client file page: contact log, action steps, documents, support blocks, milestones and closure through forms."""
import io

from tests.conftest import csrf_token

PDF = b"%PDF-1.4\n% report\n"


def file_page(browser, customer_id):
    return browser.get(f"/customers/{customer_id}")


def post(browser, customer_id, path, form, **kwargs):
    token = csrf_token(file_page(browser, customer_id))
    return browser.post(f"/customers/{customer_id}/{path}", data={**form, "csrf_token": token}, follow_redirects=True, **kwargs)


def test_the_file_shows_the_running_summary_and_history(shop, browser_as):
    filed = shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None)).json
    shop.dispatcher.post(f"/invoices/{filed['invoice']['id']}/payments", json={"amount": "100.00", "method": "cash"})
    page = file_page(browser_as(shop.dispatcher.user), shop.customer["id"]).get_data(as_text=True)
    assert 'data-testid="invoiced">230.00<' in page
    assert 'data-testid="paid">100.00<' in page
    assert 'data-testid="balance">130.00<' in page
    assert filed["number"] in page and filed["invoice"]["number"] in page


def test_a_contact_with_an_action_step_is_logged_through_the_form(shop, browser_as):
    browser = browser_as(shop.dispatcher.user)
    form = {"kind": "in_person", "occurred_at": "2026-11-20T09:15", "participants": "Dr. Alvarez", "minutes": "30",
            "hourly_rate": "90.00", "payer": "customer", "billing": "now", "notes": "Walked through the plan.",
            "step_kind": "return_call", "step_due_on": "2026-11-27", "step_assignee_id": str(shop.dispatcher.user.id)}
    page = post(browser, shop.customer["id"], "contacts", form).get_data(as_text=True)
    assert "In person of 30 min logged, 45.00." in page
    assert "Walked through the plan." in page and "Invoiced" in page
    steps = browser.get("/action-steps/").get_data(as_text=True)
    assert "Return call" in steps and "2026-11-27" in steps and "Harbor View Dental" in steps


def test_a_step_without_who_or_when_is_refused_and_nothing_saved(shop, browser_as):
    browser = browser_as(shop.dispatcher.user)
    form = {"kind": "phone", "participants": "Owner", "minutes": "10", "payer": "customer", "billing": "next_invoice", "step_kind": "file"}
    answer = post(browser, shop.customer["id"], "contacts", form)
    assert answer.status_code == 422
    assert "Nothing was saved." in answer.get_data(as_text=True)
    assert shop.dispatcher.get(f"/customers/{shop.customer['id']}/contacts").json == []


def test_a_confidential_report_is_listed_to_its_adder_and_the_owner_only(shop, browser_as, make_user):
    browser = browser_as(shop.dispatcher.user)
    form = {"title": "Structural report", "received_from": "Coastal Engineering", "is_confidential": "true",
            "file": (io.BytesIO(PDF), "report.pdf")}
    page = post(browser, shop.customer["id"], "documents", form, content_type="multipart/form-data").get_data(as_text=True)
    assert "“Structural report” added to the confidential section." in page
    assert "Structural report" in file_page(browser_as(shop.owner.user), shop.customer["id"]).get_data(as_text=True)
    other = browser_as(make_user("dispatcher"))
    assert "Structural report" not in file_page(other, shop.customer["id"]).get_data(as_text=True)
    (document,) = shop.owner.get(f"/customers/{shop.customer['id']}/documents").json
    assert browser.get(f"/documents/{document['id']}").data == PDF
    assert other.get(f"/documents/{document['id']}").status_code == 404
    reads = shop.owner.get(f"/documents/{document['id']}/reads").json
    assert [read["was_allowed"] for read in reads] == [False, True]


def test_a_disallowed_file_type_is_refused_on_the_page(shop, browser_as):
    form = {"title": "Notes", "file": (io.BytesIO(b"plain text"), "notes.txt")}
    answer = post(browser_as(shop.dispatcher.user), shop.customer["id"], "documents", form, content_type="multipart/form-data")
    assert answer.status_code == 422 and "Upload a PDF, JPEG or PNG file." in answer.get_data(as_text=True)


def test_a_support_block_is_sold_and_a_milestone_invoiced_from_the_file(shop, browser_as):
    browser = browser_as(shop.dispatcher.user)
    page = post(browser, shop.customer["id"], "support-blocks", {"hours": "10", "po_number": "PO-77"}).get_data(as_text=True)
    assert "Support block of 10.00 hours sold (PO PO-77)" in page and "10.00 left" in page
    plan = shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json={
        "title": "Boiler", "agreed_price": "5000.00", "milestones": [{"name": "Deposit", "percent": "40", "po_number": "PO-9"}]}).json
    path = f"billing-plans/{plan['id']}/milestones/{plan['milestones'][0]['id']}/invoice"
    page = post(browser, shop.customer["id"], path, {}).get_data(as_text=True)
    assert "Milestone invoiced" in page and "2,000.00 of 5,000.00 invoiced" in page


def test_closing_with_a_balance_is_refused_on_the_page(shop, browser_as):
    shop.technician.post("/work-orders", json=shop.work_order(parts=[], mileage=[], follow_up=None))
    answer = post(browser_as(shop.dispatcher.user), shop.customer["id"], "close", {"reason": "Done", "signature": "Dana"})
    assert answer.status_code == 409 and "still owes 230.00" in answer.get_data(as_text=True)


def test_a_technician_cannot_open_a_client_file(shop, browser_as):
    assert file_page(browser_as(shop.technician.user), shop.customer["id"]).status_code == 403


def test_a_billing_plan_is_made_on_the_page_and_its_mistakes_shown_by_field(shop, browser_as):
    browser = browser_as(shop.dispatcher.user)
    form = {"title": "Boiler", "agreed_price": "5000.00", "milestones_0_name": "Deposit", "milestones_0_percent": "40",
            "milestones_0_po_number": "PO-1", "milestones_1_name": "Completion", "milestones_1_percent": "60"}
    page = post(browser, shop.customer["id"], "billing-plans", form).get_data(as_text=True)
    assert "Billing plan “Boiler” of 5,000.00 in 2 milestone(s) added." in page
    assert "Deposit, 2,000.00 (PO PO-1)" in page and "Completion, 3,000.00" in page
    too_much = {**form, "title": "Duct", "milestones_1_percent": "70", "milestones_2_name": "Extra", "milestones_2_amount": "1", "milestones_2_percent": "1"}
    answer = post(browser, shop.customer["id"], "billing-plans", too_much)
    assert answer.status_code == 422
    assert "Give a percentage of the agreed price or an amount, one of the two." in answer.get_data(as_text=True)
    answer = post(browser, shop.customer["id"], "billing-plans", {**form, "title": "Duct", "milestones_1_percent": "70"})
    assert answer.status_code == 422 and "more than the agreed 5,000.00" in answer.get_data(as_text=True)


def test_a_plans_open_milestones_are_changed_on_its_page_and_invoiced_ones_are_locked(shop, browser_as):
    browser = browser_as(shop.dispatcher.user)
    plan = shop.dispatcher.post(f"/customers/{shop.customer['id']}/billing-plans", json={
        "title": "Boiler", "agreed_price": "5000.00", "milestones": [
            {"name": "Deposit", "percent": "40", "po_number": "PO-9"}, {"name": "Fitting", "percent": "30"}, {"name": "Handover", "percent": "30"},
        ]}).json
    deposit, fitting, handover = plan["milestones"]
    shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{deposit['id']}/invoice")
    path = f"/customers/{shop.customer['id']}/billing-plans/{plan['id']}/milestones"
    assert f'href="{path}"' in file_page(browser, shop.customer["id"]).get_data(as_text=True)
    page = browser.get(path)
    text = page.get_data(as_text=True)
    # The invoiced milestone is shown, not offered to change; the open ones are filled in, with two rows to add.
    assert "Deposit, 2,000.00 (PO PO-9)" in text and 'value="Deposit"' not in text
    assert 'name="milestones_0_name" type="text" value="Fitting"' in text and 'value="1500.00"' in text
    assert 'name="milestones_3_name"' in text and 'name="milestones_4_name"' not in text
    form = {
        "csrf_token": csrf_token(page),
        "milestones_0_id": str(fitting["id"]), "milestones_0_name": "Fitting and flue", "milestones_0_amount": "1000.00",
        "milestones_1_id": str(handover["id"]), "milestones_1_name": "Handover", "milestones_1_amount": "1500.00", "milestones_1_remove": "1",
        "milestones_2_name": "Commissioning", "milestones_2_percent": "40", "milestones_2_po_number": "PO-10",
        "milestones_3_name": "",
    }
    answer = browser.post(path, data=form, follow_redirects=True)
    assert answer.status_code == 200
    assert "Milestones of “Boiler” saved: 3 milestone(s), 2,000.00 invoiced so far." in answer.get_data(as_text=True)
    saved = shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["milestones"]
    assert [(m["name"], m["amount"], m["po_number"]) for m in saved] == [
        ("Deposit", "2000.00", "PO-9"), ("Fitting and flue", "1000.00", None), ("Commissioning", "2000.00", "PO-10"),
    ]

    # Beyond the agreed price: 422, shown on the page, nothing saved.
    too_much = {**form, "milestones_1_id": "", "milestones_1_remove": "", "milestones_2_percent": "", "milestones_2_amount": "2500.00"}
    answer = browser.post(path, data={**too_much, "milestones_1_id": str(saved[2]["id"])})
    assert answer.status_code == 422 and "more than the agreed 5,000.00" in answer.get_data(as_text=True)
    # A row's own mistake is marked on that row.
    answer = browser.post(path, data={**form, "milestones_1_remove": "", "milestones_1_id": "", "milestones_2_amount": "1"})
    assert answer.status_code == 422 and 'id="milestones_2_percent-error"' in answer.get_data(as_text=True)
    # Invoiced since the page was opened: 409 naming it, nothing saved.
    shop.dispatcher.post(f"/billing-plans/{plan['id']}/milestones/{saved[1]['id']}/invoice")
    stale = {"csrf_token": form["csrf_token"], "milestones_0_id": str(saved[1]["id"]), "milestones_0_name": "Flue", "milestones_0_amount": "900.00",
             "milestones_1_id": str(saved[2]["id"]), "milestones_1_name": "Commissioning", "milestones_1_amount": "2000.00"}
    answer = browser.post(path, data=stale)
    assert answer.status_code == 409 and "“Fitting and flue”" in answer.get_data(as_text=True)
    after = shop.dispatcher.get(f"/billing-plans/{plan['id']}").json["milestones"]
    assert [(m["name"], m["amount"]) for m in after] == [(m["name"], m["amount"]) for m in saved]
