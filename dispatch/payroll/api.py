from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.core.api import Blueprint
from dispatch.payroll import service
from dispatch.payroll.schemas import PayAccrualQueryArgsSchema, PayAccrualSchema

blp = Blueprint("payroll_api", __name__, description="Technicians' pay")


@blp.route("/pay-accruals", methods=["GET"])
@require_role(Role.OWNER, Role.TECHNICIAN)
@blp.arguments(PayAccrualQueryArgsSchema, location="query")
@blp.response(200, PayAccrualSchema(many=True))
def list_pay_accruals(query_args):
    """Pay accrued, by date: the owner sees everyone's, a technician their own."""
    return service.find_pay_accruals(current_actor(), **query_args)
