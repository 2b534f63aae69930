from dispatch.audit import service
from dispatch.audit.schemas import AuditEntrySchema, AuditFilterArgsSchema
from dispatch.auth.access import require_role
from dispatch.auth.models import Role
from dispatch.core.api import Blueprint

blp = Blueprint("audit_api", __name__, description="Who changed money, stock, pay, prices, settings and access (owner only)")


@blp.route("/audit-log", methods=["GET"])
@require_role(Role.OWNER)
@blp.arguments(AuditFilterArgsSchema, location="query")
@blp.response(200, AuditEntrySchema(many=True))
@blp.paginate()
def list_audit_entries(query_args):
    """Newest first; `from` and `to` are days in the company's timezone."""
    return service.entries_query(**query_args)
