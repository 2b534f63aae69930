"""Logging in over the API, tokens, /me and the owner's user management."""
import pytest
from argon2 import Type
from flask import Flask
from sqlalchemy import func, select

from dispatch.auth.models import User
from dispatch.auth.service import password_hasher
from dispatch.extensions import db
from tests.conftest import PASSWORD


def log_in(client, email, password, address="10.0.0.1"):
    return client.post(
        "/api/v1/auth/tokens", json={"email": email, "password": password}, environ_base={"REMOTE_ADDR": address}
    )


def test_a_token_opens_the_api_and_me_says_who_it_is(client, make_user):
    technician = make_user("technician", name="Tom Tran")
    answer = log_in(client, technician.email.upper(), PASSWORD)
    assert answer.status_code == 201
    assert answer.json["user"] == {"id": technician.id, "email": technician.email, "name": "Tom Tran", "role": "technician"}
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {answer.json['token']}"})
    assert me.status_code == 200
    assert me.json == answer.json["user"]


def test_wrong_password_and_unknown_email_get_the_same_answer(client, make_user):
    technician = make_user()
    wrong_password = log_in(client, technician.email, "not the password")
    unknown_email = log_in(client, "nobody@example.test", PASSWORD)
    assert wrong_password.status_code == unknown_email.status_code == 401
    assert wrong_password.json == unknown_email.json == {"code": 401, "message": "Invalid email or password."}


@pytest.mark.parametrize(
    "authorization", [None, "Bearer", "Bearer not-a-real-token", "Basic dXNlcjpwYXNz", "not-a-real-token"]
)
def test_the_api_needs_a_valid_bearer_token(client, authorization):
    headers = {"Authorization": authorization} if authorization else {}
    answer = client.get("/api/v1/me", headers=headers)
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == "Bearer"


def test_a_revoked_token_stops_working(technician_api):
    assert technician_api.delete("/auth/tokens/current").status_code == 204
    assert technician_api.get("/me").status_code == 401


def test_a_deactivated_users_tokens_stop_working(app, technician_api):
    with app.app_context():
        db.session.get(User, technician_api.user.id).is_active = False
        db.session.commit()
    assert technician_api.get("/me").status_code == 401


def test_the_session_cookie_does_not_open_the_api(app, client, make_user):
    """A browser's cookie must not authorise API calls, or another site could make them (CSRF)."""
    dispatcher = make_user("dispatcher")
    page = client.get("/login")
    token = page.text.split('name="csrf_token" value="')[1].split('"')[0]
    client.post("/login", data={"email": dispatcher.email, "password": PASSWORD, "csrf_token": token})
    assert client.get("/").status_code == 200
    assert client.get("/api/v1/me").status_code == 401


def test_failed_logins_are_limited_per_account(app, client, make_user):
    technician = make_user()
    for attempt in range(app.config["LOGIN_MAX_FAILURES_PER_ACCOUNT"]):
        assert log_in(client, technician.email, "wrong", address=f"10.0.1.{attempt}").status_code == 401
    # Locked even with the right password and from a new address: guessing gains nothing.
    locked = log_in(client, technician.email, PASSWORD, address="10.0.9.9")
    assert locked.status_code == 429
    assert int(locked.headers["Retry-After"]) > 0
    assert log_in(client, make_user().email, PASSWORD, address="10.0.9.9").status_code == 201


def test_failed_logins_are_limited_per_address(app, client, make_user):
    for attempt in range(app.config["LOGIN_MAX_FAILURES_PER_ADDRESS"]):
        assert log_in(client, f"guess{attempt}@example.test", "wrong", address="10.0.2.2").status_code == 401
    assert log_in(client, make_user().email, PASSWORD, address="10.0.2.2").status_code == 429
    assert log_in(client, make_user().email, PASSWORD, address="10.0.2.3").status_code == 201


def test_passwords_are_stored_as_argon2id(app, make_user):
    user = make_user()
    with app.app_context():
        stored = db.session.get(User, user.id).password_hash
    assert stored.startswith("$argon2id$")
    assert PASSWORD not in stored


def test_production_password_hashing_is_above_the_owasp_floor():
    """OWASP: argon2id with at least 19 MiB and 2 iterations (or 46 MiB and 1)."""
    with Flask(__name__).app_context():  # no ARGON2_* settings: the shipped defaults
        hasher = password_hasher()
    assert hasher.type == Type.ID
    assert hasher.memory_cost >= 19 * 1024 and hasher.time_cost >= 2


def test_owner_adds_a_technician_with_a_rate_and_a_van(owner_api):
    answer = owner_api.post(
        "/users",
        json={"email": "New.Tech@Example.test", "name": "Nia Ng", "password": "long enough", "role": "technician", "hourly_rate": "31.50"},
    )
    assert answer.status_code == 201
    assert answer.json["email"] == "new.tech@example.test"
    assert answer.json["hourly_rate"] == "31.50"
    vans = [location for location in owner_api.get("/stock-locations").json if location["technician_id"] == answer.json["id"]]
    assert [van["kind"] for van in vans] == ["van"]
    assert log_in(owner_api.client, "new.tech@example.test", "long enough").status_code == 201


def test_only_the_owner_manages_users(dispatcher_api, technician_api):
    new_user = {"email": "x@example.test", "name": "X", "password": "long enough", "role": "owner"}
    for api in (dispatcher_api, technician_api):
        assert api.post("/users", json=new_user).status_code == 403
        assert api.get("/users").status_code == 403


def test_only_the_owner_sees_pay_rates(owner_api, technician_api):
    staff = owner_api.get("/users").json
    assert {member["id"]: member["hourly_rate"] for member in staff}[technician_api.user.id] == "30.00"
    assert "hourly_rate" not in technician_api.get("/me").json


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"role": "janitor"}, "role"),
        ({"email": "not-an-email"}, "email"),
        ({"password": "short"}, "password"),
        ({"hourly_rate": "-5.00"}, "hourly_rate"),
        ({"hourly_rate": "12.345"}, "hourly_rate"),
        ({"name": 42}, "name"),
        ({"is_admin": True}, "is_admin"),
    ],
)
def test_bad_user_input_is_refused_by_field_and_writes_nothing(app, owner_api, change, field):
    new_user = {"email": "x@example.test", "name": "X", "password": "long enough", "role": "technician", **change}
    answer = owner_api.post("/users", json=new_user)
    assert answer.status_code == 422
    assert field in answer.json["errors"]
    with app.app_context():
        assert db.session.scalar(select(func.count(User.id)).where(User.email == "x@example.test")) == 0


def test_a_duplicate_email_is_refused_whatever_its_case(owner_api):
    new_user = {"email": "twin@example.test", "name": "Twin", "password": "long enough", "role": "dispatcher"}
    assert owner_api.post("/users", json=new_user).status_code == 201
    again = owner_api.post("/users", json={**new_user, "email": "TWIN@example.test"})
    assert again.status_code == 422
    assert again.json["errors"] == {"email": ["A user with this email already exists."]}


def test_a_body_that_is_not_json_is_refused(owner_api):
    answer = owner_api.post("/users", data="email=x", headers={"Content-Type": "text/plain"})
    assert answer.status_code == 422


def test_an_unknown_api_path_is_a_json_404(owner_api):
    answer = owner_api.get("/no-such-thing")
    assert answer.status_code == 404
    assert answer.json["code"] == 404
