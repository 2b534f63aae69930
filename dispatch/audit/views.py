"""The owner's page of the audit log."""
from flask import Blueprint, render_template, request
from flask_login import login_required

from dispatch.audit import service
from dispatch.audit.models import AuditKind
from dispatch.audit.schemas import AuditPageArgsSchema
from dispatch.auth.access import require_role
from dispatch.auth.models import Role
from dispatch.auth.service import list_users
from dispatch.core.errors import InvalidInput
from dispatch.core.schemas import load_form

bp = Blueprint("audit", __name__, url_prefix="/audit-log")


@bp.route("/")
@login_required
@require_role(Role.OWNER)
def audit_log():
    try:
        filters = load_form(AuditPageArgsSchema(), request.args)
    except InvalidInput as error:
        return _page(request.args, [], error.errors), 422
    return _page(request.args, service.find_entries(**filters))


def _page(form, entries, errors=None):
    return render_template(
        "audit/log.html", form=form, entries=entries, errors=errors or {}, kinds=list(AuditKind), users=list_users()
    )
