"""Logging in on the web: CSRF, cookie flags, a fresh session, limits, role-aware navigation."""
import pytest

from tests.conftest import PASSWORD, csrf_token


def submit_login(client, email, password, address="10.1.0.1", next_page=None):
    token = csrf_token(client.get("/login"))
    path = f"/login?next={next_page}" if next_page else "/login"
    return client.post(
        path, data={"email": email, "password": password, "csrf_token": token}, environ_base={"REMOTE_ADDR": address}
    )


def test_pages_need_a_login(client):
    answer = client.get("/customers/")
    assert answer.status_code == 302
    assert answer.headers["Location"].startswith("/login")


def test_logging_in_opens_the_home_page(client, make_user):
    dispatcher = make_user("dispatcher", name="Dana Diaz")
    answer = submit_login(client, dispatcher.email, PASSWORD)
    assert answer.status_code == 302
    assert "Hello, Dana Diaz" in client.get("/").text


def test_the_session_cookie_is_secure_httponly_and_samesite_lax(client, make_user):
    answer = submit_login(client, make_user().email, PASSWORD)
    cookie = answer.headers["Set-Cookie"]
    assert "Secure" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie


def test_login_starts_a_fresh_session(app, client, make_user):
    with client.session_transaction() as session:
        session["left_by_someone_else"] = "value"
    submit_login(client, make_user().email, PASSWORD)
    with client.session_transaction() as session:
        assert "left_by_someone_else" not in session
        assert session["_user_id"]


def test_a_login_without_the_csrf_token_is_refused(client, make_user):
    answer = client.post("/login", data={"email": make_user().email, "password": PASSWORD})
    assert answer.status_code == 400
    assert client.get("/").status_code == 302


def test_wrong_credentials_say_the_same_whichever_was_wrong(client, make_user):
    technician = make_user()
    wrong_password = submit_login(client, technician.email, "wrong")
    unknown_email = submit_login(client, "nobody@example.test", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert "Invalid email or password." in wrong_password.text
    assert "Invalid email or password." in unknown_email.text


def test_too_many_failed_web_logins_are_refused(app, client, make_user):
    technician = make_user()
    for _ in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        submit_login(client, technician.email, "wrong")
    answer = submit_login(client, technician.email, PASSWORD)
    assert answer.status_code == 429
    assert "Too many failed logins" in answer.text
    assert client.get("/").status_code == 302


@pytest.mark.parametrize("next_page", ["//evil.example/", "https://evil.example/"])
def test_login_never_redirects_to_another_site(client, make_user, next_page):
    answer = submit_login(client, make_user("dispatcher").email, PASSWORD, next_page=next_page)
    assert answer.headers["Location"] == "/"


def test_login_returns_to_the_page_asked_for(client, make_user):
    answer = submit_login(client, make_user("dispatcher").email, PASSWORD, next_page="/customers/")
    assert answer.headers["Location"] == "/customers/"


def test_logout_ends_the_session(client, make_user):
    submit_login(client, make_user().email, PASSWORD)
    token = csrf_token(client.get("/"))
    assert client.post("/logout", data={"csrf_token": token}).status_code == 302
    assert client.get("/").status_code == 302


def test_navigation_shows_each_role_what_it_may_use(app, make_user):
    pages = {}
    for role in ("technician", "dispatcher", "owner"):
        client = app.test_client()
        submit_login(client, make_user(role).email, PASSWORD)
        pages[role] = client.get("/").text
    assert ">Customers</a>" not in pages["technician"]
    assert ">Parts</a>" in pages["technician"]
    assert ">Customers</a>" in pages["dispatcher"] and ">Customers</a>" in pages["owner"]


def test_a_technician_is_refused_the_customer_pages(client, make_user):
    submit_login(client, make_user().email, PASSWORD)
    assert client.get("/customers/").status_code == 403
