from flask import Response

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import CSV_ON_REQUEST, Blueprint
from dispatch.core.idempotency import idempotent
from dispatch.workorders import parts_used, service
from dispatch.workorders.schemas import (
    FileWorkOrderSchema,
    PartsUsedQueryArgsSchema,
    PartsUsedRowSchema,
    VoidWorkOrderSchema,
    WorkOrderSchema,
)

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


@blp.route("/work-orders/<int:work_order_id>/void", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(VoidWorkOrderSchema)
@blp.response(200, WorkOrderSchema)
def void_work_order(void, work_order_id):
    """Void a work order: its invoice is voided and its parts go back where they came from.
    409 if it is already void, or its invoice has payments or credits on it."""
    return service.void_work_order(work_order_id, void["reason"], current_actor())


@blp.route("/reports/parts-used", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(PartsUsedQueryArgsSchema, location="query")
@blp.response(200, PartsUsedRowSchema(many=True))
@blp.paginate()
@blp.doc(**CSV_ON_REQUEST)
def list_parts_used(query_args):
    """Parts used on work orders filed in the range (company time, both days included), per technician, customer
    or month, with their cost at the time of use; `format=csv` for a file."""
    rows = parts_used.parts_used(query_args["by"], query_args["from_on"], query_args["to_on"])
    if query_args["format"] == "csv":
        name = f"parts-used-by-{query_args['by']}-{query_args['from_on']}-to-{query_args['to_on']}.csv"
        return Response(parts_used.parts_used_csv(rows, query_args["by"]), mimetype="text/csv",
                        headers={"Content-Disposition": f'attachment; filename="{name}"'})
    return rows
