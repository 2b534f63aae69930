"""The daily low-stock digest: one email to the dispatcher, however often the job runs."""
from dispatch.inventory.jobs import email_low_stock_digest
from dispatch.jobs import cron_schedule


def test_the_dispatcher_gets_one_digest_of_low_shelves_and_van_restocks(app, shop, make_part, smtp_server):
    make_part(stock=3, location_id=shop.warehouse_id, sku="FLT-1620", name="Air filter", unit="box", reorder_point=5, reorder_quantity=24)
    make_part(stock=50, location_id=shop.warehouse_id, sku="IGN-HSI", name="Igniter", reorder_point=5)  # plenty
    shop.dispatcher.post("/stock/targets", json={"part_id": shop.fan_motor["id"], "location_id": shop.van_id, "reorder_point": 3, "target_quantity": 5})
    smtp_server.clear()

    with app.app_context():
        assert email_low_stock_digest() == 2
        assert email_low_stock_digest() == 0  # the same day again: nothing more is sent

    (message,) = smtp_server.wait_for(1)
    assert len(smtp_server.wait_for(2, seconds=1)) == 1
    assert message["To"] == shop.dispatcher.user.email
    assert message["Subject"].startswith("Low stock: 2 shelves")
    body = message.get_content()
    assert "FLT-1620 Air filter, Main warehouse: 3 box (reorder point 5); get 24 box from the supplier" in body
    assert "FAN-MTR-5 Condenser fan motor, Van" in body and "get 2 each from the warehouse" in body
    assert "IGN-HSI" not in body


def test_nothing_low_sends_nothing(app, shop, smtp_server):
    smtp_server.clear()
    with app.app_context():
        assert email_low_stock_digest() == 0
    assert smtp_server.wait_for(1, seconds=1) == []


def test_the_digest_runs_every_day_from_cron():
    (when,) = [when for job, when in cron_schedule() if job is email_low_stock_digest]
    _minute, _hour, *every_day = when["cron"].split()
    assert every_day == ["*", "*", "*"]
