from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import Blueprint
from dispatch.estimates import service
from dispatch.estimates.schemas import CreateEstimateSchema, EstimateSchema

blp = Blueprint("estimates_api", __name__, description="Estimates: prepared, emailed, decided by the customer")


@blp.route("/estimates", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreateEstimateSchema)
@blp.response(201, EstimateSchema)
def prepare_estimate(estimate):
    """Prepare an estimate: numbered, priced and taxed, with the customer's secret `token`."""
    return service.prepare_estimate(estimate, current_actor())


@blp.route("/estimates/<int:estimate_id>", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, EstimateSchema)
def get_estimate(estimate_id):
    return service.get_estimate(estimate_id)


@blp.route("/estimates/<int:estimate_id>/send", methods=["POST"])
@require_role(*STAFF)
@blp.response(202, EstimateSchema)
def send_estimate(estimate_id):
    """Email the estimate PDF and the customer's link (a background job sends it); 409 once decided or expired."""
    return service.send_estimate(estimate_id)
