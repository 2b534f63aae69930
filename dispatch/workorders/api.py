from dispatch.auth.access import current_actor
from dispatch.core.api import Blueprint
from dispatch.core.idempotency import idempotent
from dispatch.workorders import service
from dispatch.workorders.schemas import FileWorkOrderSchema, WorkOrderSchema

blp = Blueprint("workorders_api", __name__, description="Filing work orders from the field")


@blp.route("/work-orders", methods=["POST"])
@blp.arguments(FileWorkOrderSchema)
@idempotent
@blp.response(201, WorkOrderSchema)
def file_work_order(work_order):
    """File a work order: invoice, stock, pay and follow-up in one step.

    Send an `Idempotency-Key` header to make retries safe: the same key and body
    get the first answer again; a different body 422; while the first is still
    running, 409.
    """
    return service.file_work_order(work_order, current_actor())


@blp.route("/work-orders/<int:work_order_id>", methods=["GET"])
@blp.response(200, WorkOrderSchema)
def get_work_order(work_order_id):
    return service.get_work_order(work_order_id, current_actor())
