"""The `dispatch` console script: serve, create-user, worker, cron (and Flask's db, routes, shell)."""
import os

import click
from flask import current_app
from flask.cli import FlaskGroup, with_appcontext
from flask_migrate import upgrade

from dispatch import create_app
from dispatch.auth.schemas import ROLES


@click.group(cls=FlaskGroup, create_app=create_app)
def main():
    """Dispatch: work orders, invoices, stock, pay and scheduling."""


# with_appcontext=False: Flask's command group would otherwise run this inside an app context, which the
# forked workers would inherit (see below).
@main.command(with_appcontext=False)
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=int)
@click.option("--demo", is_flag=True, help="Fill an empty database with a demo company and print its logins.")
@click.pass_obj
def serve(script_info, host: str, port: int, demo: bool):
    """Apply pending migrations, then serve Dispatch with gunicorn."""
    from dispatch.demo import load_demo_company
    from dispatch.extensions import db
    from dispatch.server import serve_with_gunicorn

    app = script_info.load_app()
    with app.app_context():
        upgrade()
        if demo:
            _print_demo_logins(load_demo_company(), host, port)
            if "SESSION_COOKIE_SECURE" not in os.environ:
                # The demo runs over plain HTTP on this machine; Secure cookies would never be sent back.
                app.config["SESSION_COOKIE_SECURE"] = app.config["REMEMBER_COOKIE_SECURE"] = False
        # Workers are forked: none of them may inherit the connections the migration opened.
        db.engine.dispose()
    # Served outside this app context: inside it, every request would reuse it, and with it `g` (the logged-in
    # user, the CSRF token) and the database session, from one request to the next.
    serve_with_gunicorn(app, host, port)


def _print_demo_logins(logins: list[tuple[str, str, str]] | None, host: str, port: int) -> None:
    shown_host = "localhost" if host in ("127.0.0.1", "0.0.0.0") else host
    click.echo(f"\nDispatch demo: http://{shown_host}:{port}/")
    if logins is None:
        click.echo("The database already has users; the demo company was not loaded again.\n")
        return
    for role, email, password in logins:
        click.echo(f"  {role:<11} {email:<32} password: {password}")
    click.echo("")


@main.command("create-user")
@click.option("--email", required=True)
@click.option("--password", required=True)
@click.option("--role", required=True, type=click.Choice(ROLES))
@click.option("--name", default=None, help="Defaults to the part of the email before the @.")
@with_appcontext
def create_user_command(email: str, password: str, role: str, name: str | None):
    """Add a user."""
    from marshmallow import ValidationError

    from dispatch.auth import service
    from dispatch.auth.schemas import CreateUserSchema
    from dispatch.core.errors import InvalidInput

    try:
        new_user = CreateUserSchema().load(
            {"email": email, "password": password, "role": role, "name": name or email.split("@")[0]}
        )
        user = service.create_user(**new_user)
    except ValidationError as error:
        raise click.ClickException(_field_messages(error.messages)) from error
    except InvalidInput as error:
        raise click.ClickException(_field_messages(error.errors)) from error
    click.echo(f"Created {user.role} {user.email} (id {user.id}).")


def _field_messages(errors: dict) -> str:
    return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())


@main.command()
@click.option("--burst", is_flag=True, help="Stop once the queue is empty.")
@with_appcontext
def worker(burst: bool):
    """Run an RQ worker for Dispatch's queue (needs REDIS_URL)."""
    from dispatch.jobs import run_worker

    run_worker(current_app._get_current_object(), burst=burst)


@main.command()
@with_appcontext
def cron():
    """Run the RQ cron scheduler: reminders, late fees, stock alerts, monthly profit."""
    from dispatch.jobs import run_cron

    run_cron(current_app._get_current_object())
