"""Stock in a real browser: a technician counts their van on a phone; the office voids a job and its parts come back."""
from playwright.sync_api import expect

from tests.e2e.test_web_basics import assert_fits_a_phone, log_in


def test_a_technician_counts_the_van_shelf_on_a_phone(phone, shop):
    log_in(phone, shop.technician.user)
    phone.get_by_role("navigation", name="Main").get_by_role("link", name="Stock").click()
    expect(phone.get_by_role("heading", name=f"Stock: Van – {shop.technician.user.name}")).to_be_visible()
    expect(phone.locator('tr[data-sku="FAN-MTR-5"]')).to_contain_text("3 each")
    assert_fits_a_phone(phone)

    phone.get_by_role("link", name="Count this van").click()
    expect(phone.get_by_role("heading", name=f"Count Van – {shop.technician.user.name}")).to_be_visible()
    assert_fits_a_phone(phone)
    phone.get_by_label("FAN-MTR-5 Condenser fan motor").fill("2")
    phone.get_by_label("Reason").fill("Found one damaged, binned it")
    phone.get_by_role("button", name="Post count").click()

    expect(phone.get_by_role("status")).to_have_text(f"Count posted for Van – {shop.technician.user.name}: 1 adjustment.")
    expect(phone.locator('tr[data-sku="FAN-MTR-5"]')).to_contain_text("2 each")
    assert shop.stock(shop.fan_motor, shop.van_id) == 2


def test_the_dispatcher_voids_a_work_order_and_its_parts_go_back(page, shop, jobs_done):
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    jobs_done()
    log_in(page, shop.dispatcher.user)
    page.goto(f"/work-orders/{filed['id']}")
    expect(page.get_by_role("heading", name=f"Work order {filed['number']}")).to_be_visible()

    page.get_by_label("Reason").fill("Filed twice by mistake")
    page.get_by_role("button", name="Void work order").click()

    expect(page.get_by_role("status")).to_have_text(f"Work order {filed['number']} is void; its parts are back on the shelf.")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "void")
    expect(page.get_by_role("button", name="Void work order")).to_have_count(0)
    assert (shop.stock(shop.fan_motor, shop.van_id), shop.stock(shop.capacitor, shop.warehouse_id)) == (3, 5)
    assert shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}").json["status"] == "void"
