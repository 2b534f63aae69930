"""Secrets stay secret: cookies a script cannot read or another site send, tokens the database
holds only as hashes, and logs that never carry a password, a token or the session key."""
import logging
import re
import uuid
from datetime import date, timedelta

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult
from sqlalchemy import String, Text, select

from dispatch.core import mail
from dispatch.extensions import db
from dispatch.invoicing.models import Invoice
from tests.conftest import PASSWORD
from tests.estimates.conftest import estimate_body
from tests.smtp import SmtpServer, _free_port

LINK = re.compile(r"/(?:i|e|calendar)/([A-Za-z0-9_-]{20,64})")


def test_the_remember_me_cookie_is_secure_httponly_and_samesite_lax(app, browser_as):
    browser = browser_as("dispatcher")
    # As Flask-Login's login_user(remember=True) marks the session.
    with browser.session_transaction() as session:
        session["_remember"] = "set"
    answer = browser.get("/")
    cookie = next(value for value in answer.headers.getlist("Set-Cookie") if value.startswith("remember_token="))
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


def stored_text(app) -> str:
    """Every text value in every table, as one string to search."""
    with app.app_context():
        values = []
        for table in db.metadata.sorted_tables:
            columns = [column for column in table.columns if isinstance(column.type, String | Text)]
            if columns:
                values += [str(value) for row in db.session.execute(select(*columns)) for value in row if value]
        return "\n".join(values)


def links_in(messages) -> list[str]:
    return [token for message in messages for token in LINK.findall(message.get_body(("plain",)).get_content())]


def test_the_database_holds_no_token_in_plain(app, shop, smtp_server, jobs_done):
    api_token = shop.technician.token
    feed_url = shop.technician.post(f"/technicians/{shop.technician.user.id}/calendar-feed").json["url"]
    filed = shop.technician.post("/work-orders", json=shop.work_order()).json
    estimate = shop.dispatcher.post("/estimates", json=estimate_body(shop, date.today() + timedelta(days=1))).json
    assert shop.dispatcher.post(f"/estimates/{estimate['id']}/send").status_code == 202
    jobs_done()
    share_links = links_in(smtp_server.wait_for(2))
    assert len(share_links) == 2, "the invoice's and the estimate's links were emailed"
    tokens = [api_token, LINK.search(feed_url).group(1), *share_links]

    everything = stored_text(app)
    assert [token for token in tokens if token in everything] == []
    # And each still opens what it is for.
    assert shop.technician.get("/me").status_code == 200
    assert app.test_client().get(feed_url.removeprefix(app.config["PUBLIC_URL"])).status_code == 200
    assert all(app.test_client().get(path).status_code == 200 for path in (f"/i/{share_links[0]}", f"/e/{share_links[1]}"))
    assert filed["status"] == "invoiced"


@pytest.fixture
def smtp_with_login():
    """A real SMTP server that wants a username and password, as a mail provider does."""
    server = SmtpServer()
    logins = []

    def authenticate(_server, _session, _envelope, mechanism, auth_data):
        logins.append((auth_data.login.decode(), auth_data.password.decode()))
        return AuthResult(success=True)

    server._controller = Controller(
        server, hostname="127.0.0.1", port=_free_port(), authenticator=authenticate, auth_require_tls=False
    )
    server.start()
    yield server, logins
    server.stop()


def test_no_secret_reaches_the_logs(app, shop, smtp_with_login, caplog, browser_as, jobs_done):
    smtp, logins = smtp_with_login
    smtp_password = f"smtp-{uuid.uuid4().hex}"
    caplog.set_level(logging.DEBUG)
    settings = {**smtp.settings, "SMTP_USERNAME": "dispatch", "SMTP_PASSWORD": smtp_password}
    saved = {name: app.config[name] for name in settings}
    app.config.update(settings)
    try:
        token = shop.owner.client.post("/api/v1/auth/tokens", json={"email": shop.owner.user.email, "password": PASSWORD}).json["token"]
        browser_as(shop.dispatcher.user)
        wrong = shop.owner.client.post("/api/v1/auth/tokens", json={"email": shop.owner.user.email, "password": "wrong " + PASSWORD})
        assert wrong.status_code == 401
        feed_url = shop.technician.post(f"/technicians/{shop.technician.user.id}/calendar-feed").json["url"]
        filed = shop.technician.post("/work-orders", json=shop.work_order()).json
        assert shop.dispatcher.get(f"/invoices/{filed['invoice']['id']}/pdf").status_code == 200
        jobs_done()
        # Mailed here rather than by the job: with REDIS_URL the job runs in a worker process, whose
        # mail settings and logs are its own.
        with app.app_context():
            invoice_link = db.session.get(Invoice, filed["invoice"]["id"]).view_token
            mail.send(mail.new_message(shop.customer["email"], "Your invoice", f"{app.config['PUBLIC_URL']}/i/{invoice_link}"))
        messages = smtp.wait_for(1)
    finally:
        app.config.update(saved)

    # Without REDIS_URL the filing's invoice email went through this server too.
    assert messages and logins and set(logins) == {("dispatch", smtp_password)}
    secrets = {
        "the SMTP password": smtp_password,
        "a user's password": PASSWORD,
        "an API token": token,
        "another API token": shop.technician.token,
        "a calendar feed token": LINK.search(feed_url).group(1),
        "an invoice link": invoice_link,
        "SECRET_KEY": app.config["SECRET_KEY"],
    }
    # "mail.log" is the receiving server's (aiosmtpd's) own log of what it was sent: not ours.
    ours = [record for record in caplog.records if record.name != "mail.log"]
    logged = "\n".join(f"{record.getMessage()} {record.args!r} {record.exc_text or ''}" for record in ours)
    assert ours, "nothing was logged: the test would pass whatever the code logged"
    assert [name for name, secret in secrets.items() if secret in logged] == []
