from urllib.parse import urlsplit

from flask import Blueprint, flash, redirect, render_template, request, session, url_for
from flask_login import current_user, login_required, login_user, logout_user

from dispatch.auth import service
from dispatch.auth.models import User
from dispatch.auth.schemas import LoginSchema
from dispatch.core.errors import InvalidInput, TooManyRequests
from dispatch.core.schemas import load_form

bp = Blueprint("auth", __name__)


@bp.route("/")
@login_required
def home():
    return render_template("auth/home.html")


@bp.route("/login", methods=["GET", "POST"])
def login():
    if request.method == "GET":
        return render_template("auth/login.html")
    try:
        credentials = load_form(LoginSchema(), request.form)
        user = service.attempt_login(credentials["email"], credentials["password"], request.remote_addr or "")
    except InvalidInput:
        user = None
    except TooManyRequests as error:
        flash(error.message, "error")
        return render_template("auth/login.html", email=request.form.get("email", "")), 429, error.headers
    if user is None:
        flash("Invalid email or password.", "error")
        return render_template("auth/login.html", email=request.form.get("email", "")), 401
    # A fresh session on login: nothing from before the login carries over.
    session.clear()
    login_user(user)
    return redirect(_safe_next(request.args.get("next"), user))


@bp.route("/logout", methods=["POST"])
def logout():
    logout_user()
    session.clear()
    flash("You are logged out.", "info")
    return redirect(url_for("auth.login"))


def _safe_next(target: str | None, user: User) -> str:
    """Only redirect within Dispatch after login: never to another site. A technician starts on their day."""
    if target and target.startswith("/") and not target.startswith("//") and not urlsplit(target).netloc:
        return target
    return url_for("scheduling.today") if user.is_technician else url_for("auth.home")


@bp.app_context_processor
def navigation():
    return {"user": current_user}
