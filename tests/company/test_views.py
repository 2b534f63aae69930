"""The owner's settings page: the whole policy in one form, saved through the settings schema."""
import re
from decimal import Decimal

from dispatch.company.models import CompanySettings
from dispatch.extensions import db
from tests.conftest import csrf_token


def stored(app) -> CompanySettings:
    with app.app_context():
        settings = db.session.get(CompanySettings, 1)
        db.session.expunge(settings)
        return settings


def settings_form(page, **changes) -> dict:
    """The form as the page fills it in, with the given fields changed."""
    text = page.get_data(as_text=True)
    form = dict(re.findall(r'<input id="[^"]+" name="([^"]+)" type="[^"]+" value="([^"]*)"', text))
    form["address"] = re.search(r'<textarea id="address" name="address"[^>]*>([^<]*)</textarea>', text).group(1)
    form["csrf_token"] = csrf_token(page)
    form.update(changes)
    return form


def test_the_owner_changes_the_tax_rate_and_late_fee(app, browser_as):
    owner = browser_as("owner")
    page = owner.get("/settings")
    assert page.status_code == 200
    before = stored(app)

    answer = owner.post("/settings", data=settings_form(page, tax_rate_percent="8.875", late_fee_flat="25.00", late_fee_cap=""))

    assert answer.status_code == 302
    after = stored(app)
    assert (after.tax_rate_percent, after.late_fee_flat, after.late_fee_cap) == (Decimal("8.875"), Decimal("25.00"), None)
    assert (after.name, after.labor_rate_onsite, after.reminder_schedule) == (before.name, before.labor_rate_onsite, before.reminder_schedule)
    assert "Settings saved." in owner.get(answer.location).get_data(as_text=True)


def test_a_negative_rate_is_refused_and_nothing_changes(app, browser_as):
    owner = browser_as("owner")
    page = owner.get("/settings")
    before = stored(app)

    answer = owner.post("/settings", data=settings_form(page, mileage_rate="-0.70", tax_rate_percent="9"))

    assert answer.status_code == 422
    assert 'id="mileage_rate-error"' in answer.get_data(as_text=True)
    after = stored(app)
    assert (after.mileage_rate, after.tax_rate_percent) == (before.mileage_rate, before.tax_rate_percent)


def test_a_dispatcher_may_not_change_the_settings(browser_as):
    dispatcher = browser_as("dispatcher")
    assert dispatcher.get("/settings").status_code == 403
    token = csrf_token(dispatcher.get("/"))
    assert dispatcher.post("/settings", data={"tax_rate_percent": "0", "csrf_token": token}).status_code == 403
