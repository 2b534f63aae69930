"""Dispatch: work orders, invoices, stock, pay and scheduling for field-service companies."""
from pathlib import Path

from flask import Flask
from sqlalchemy import event

from dispatch.config import load_config
from dispatch.core.body_limits import apply_body_limit
from dispatch.core.routing import IdConverter
from dispatch.extensions import api, csrf, db, login_manager, migrate

MIGRATIONS_DIR = Path(__file__).resolve().parent.parent / "migrations"


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__)
    # Before any route is added: every <int:…> in a URL is bounded to what an id can be.
    app.url_map.converters["int"] = IdConverter
    app.config.update(load_config(Path(app.instance_path)))
    app.config.update(config or {})

    _import_models()
    db.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    # Before CSRF's hook, which reads the form: the body limit must be in place by then.
    app.before_request(apply_body_limit)
    csrf.init_app(app)
    api.init_app(app)
    _set_up_login(app)
    _register_blueprints(app)
    with app.app_context():
        _enforce_sqlite_foreign_keys(db.engine)
    return app


def _import_models() -> None:
    """Every domain's tables, so the metadata (and so Alembic) knows all of them."""
    import dispatch.audit.models  # noqa: F401
    import dispatch.auth.models  # noqa: F401
    import dispatch.company.models  # noqa: F401
    import dispatch.core.idempotency  # noqa: F401
    import dispatch.core.numbering  # noqa: F401
    import dispatch.customers.models  # noqa: F401
    import dispatch.estimates.models  # noqa: F401
    import dispatch.inventory.models  # noqa: F401
    import dispatch.invoicing.models  # noqa: F401
    import dispatch.jobs  # noqa: F401
    import dispatch.payroll.models  # noqa: F401
    import dispatch.reports.models  # noqa: F401
    import dispatch.scheduling.models  # noqa: F401
    import dispatch.vehicles.models  # noqa: F401
    import dispatch.workorders.models  # noqa: F401


def _set_up_login(app: Flask) -> None:
    from dispatch.auth.access import authenticate_api_request
    from dispatch.auth.models import User
    from dispatch.core.errors import register_error_handlers

    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    # "basic", not "strong": a phone changes address between cell towers and must stay logged in.
    login_manager.session_protection = "basic"

    @login_manager.user_loader
    def load_user(user_id: str) -> User | None:
        user = db.session.get(User, int(user_id))
        return user if user is not None and user.is_active else None

    app.before_request(authenticate_api_request)
    register_error_handlers(app)


def _register_blueprints(app: Flask) -> None:
    from dispatch.audit import api as audit_api, views as audit_views
    from dispatch.auth import api as auth_api, views as auth_views
    from dispatch.company import api as company_api, views as company_views
    from dispatch.customers import api as customers_api, client_file_api, views as customers_views
    from dispatch.estimates import api as estimates_api, views as estimates_views
    from dispatch.inventory import api as inventory_api, views as inventory_views
    from dispatch.invoicing import api as invoicing_api, views as invoicing_views
    from dispatch.payroll import api as payroll_api, views as payroll_views
    from dispatch.reports import api as reports_api, views as reports_views
    from dispatch.scheduling import api as scheduling_api, feed_views, plan_views, views as scheduling_views
    from dispatch.vehicles import api as vehicles_api, views as vehicles_views
    from dispatch.workorders import api as workorders_api, phone_views, views as workorders_views

    api_modules = (
        auth_api, customers_api, inventory_api, company_api, scheduling_api,
        workorders_api, invoicing_api, payroll_api, reports_api, estimates_api, client_file_api, vehicles_api,
        audit_api,
    )
    for module in api_modules:
        # The API authenticates with bearer tokens, never cookies: nothing for CSRF to forge.
        csrf.exempt(module.blp)
        api.register_blueprint(module.blp)
    view_modules = (
        auth_views, customers_views, inventory_views, workorders_views, estimates_views, invoicing_views,
        company_views, reports_views, scheduling_views, payroll_views, vehicles_views, audit_views,
    )
    for module in view_modules:
        app.register_blueprint(module.bp)
    app.register_blueprint(estimates_views.office_bp)
    app.register_blueprint(inventory_views.stock_bp)
    app.register_blueprint(invoicing_views.customer_link_bp)
    app.register_blueprint(feed_views.bp)
    app.register_blueprint(plan_views.bp)
    app.register_blueprint(customers_views.documents_bp)
    app.register_blueprint(customers_views.actions_bp)
    app.register_blueprint(phone_views.bp)


def _enforce_sqlite_foreign_keys(engine) -> None:
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def enable_foreign_keys(dbapi_connection, _record):
        dbapi_connection.execute("PRAGMA foreign_keys = ON")
