"""The client file over the API: contact log, action steps, documents, closure, support blocks, milestones."""
from flask import request, send_file

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.models import Role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import Blueprint
from dispatch.core.body_limits import ONE_FILE, accepts_body_up_to
from dispatch.core.errors import Forbidden
from dispatch.customers import client_file, closure, contacts, documents, milestones, support_blocks
from dispatch.customers.schemas import (
    ActionStepQueryArgsSchema, ActionStepSchema, AddDocumentSchema, BillingPlanSchema, ChangeMilestonesSchema, ClientFileSummarySchema,
    CloseFileSchema, ContactSchema, CreateBillingPlanSchema, CustomerSchema, DocumentReadSchema, DocumentSchema,
    FileClosureSchema, LogContactSchema, ReopenFileSchema, SellSupportBlockSchema, SupportBlockSchema,
)
from dispatch.workorders.schemas import InvoiceSummarySchema

blp = Blueprint("client_files_api", __name__, description="Client files: contacts, documents, closure, support blocks, milestones")


@blp.route("/customers/<int:customer_id>/summary", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, ClientFileSummarySchema)
def account_summary(customer_id):
    return client_file.account_summary(client_file.get_customer(customer_id).id)


@blp.route("/customers/<int:customer_id>/contacts", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(LogContactSchema)
@blp.response(201, ContactSchema)
def log_contact(logged, customer_id):
    return contacts.log_contact(customer_id, logged, current_actor())


@blp.route("/customers/<int:customer_id>/contacts", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, ContactSchema(many=True))
@blp.paginate()
def contact_log(customer_id):
    return contacts.contacts_query(client_file.get_customer(customer_id).id)


@blp.route("/customers/<int:customer_id>/contacts/invoice", methods=["POST"])
@require_role(*STAFF)
@blp.response(201, InvoiceSummarySchema)
def invoice_waiting_contacts(customer_id):
    return contacts.invoice_waiting_contacts(customer_id)


@blp.route("/action-steps", methods=["GET"])
@blp.arguments(ActionStepQueryArgsSchema, location="query")
@blp.response(200, ActionStepSchema(many=True))
@blp.paginate()
def list_action_steps(query_args):
    """The open steps on a person's list: the caller's own; the office may ask for anyone's."""
    actor = current_actor()
    assignee_id = query_args["assignee_id"] or actor.id
    if assignee_id != actor.id and not actor.has_role(*STAFF):
        raise Forbidden("You see your own action steps only.")
    return contacts.open_action_steps_query(assignee_id=assignee_id)


@blp.route("/action-steps/<int:step_id>/done", methods=["POST"])
@blp.response(200, ActionStepSchema)
def complete_action_step(step_id):
    return contacts.complete_action_step(step_id, current_actor())


@blp.route("/customers/<int:customer_id>/documents", methods=["POST"])
@accepts_body_up_to(ONE_FILE)
@require_role(*STAFF)
@blp.arguments(AddDocumentSchema, location="form")
@blp.response(201, DocumentSchema)
def add_document(added, customer_id):
    return documents.add_document(customer_id, upload=request.files.get("file"), actor=current_actor(), **added)


@blp.route("/customers/<int:customer_id>/documents", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, DocumentSchema(many=True))
@blp.paginate()
def list_documents(customer_id):
    return documents.documents_query(client_file.get_customer(customer_id).id, current_actor())


@blp.route("/documents/<int:document_id>", methods=["GET"])
def read_document(document_id):
    """The file itself; 404 for anyone who may not read it (and the attempt is recorded)."""
    document, stored = documents.open_document(document_id, current_actor())
    return send_file(stored, mimetype=document.content_type, download_name=document.download_name)


@blp.route("/documents/<int:document_id>/reads", methods=["GET"])
@require_role(Role.OWNER)
@blp.response(200, DocumentReadSchema(many=True))
@blp.paginate()
def document_reads(document_id):
    return documents.document_reads_query(document_id)


@blp.route("/customers/<int:customer_id>/close", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CloseFileSchema)
@blp.response(201, FileClosureSchema)
def close_file(closing, customer_id):
    return closure.close_file(customer_id, actor=current_actor(), **closing)


@blp.route("/customers/<int:customer_id>/reopen", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(ReopenFileSchema)
@blp.response(200, CustomerSchema)
def reopen_file(reopening, customer_id):
    return closure.reopen_file(customer_id, reopening["reason"], current_actor())


@blp.route("/customers/<int:customer_id>/support-blocks", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(SellSupportBlockSchema)
@blp.response(201, SupportBlockSchema)
def sell_support_block(sale, customer_id):
    return support_blocks.sell_support_block(customer_id, actor=current_actor(), **sale)


@blp.route("/customers/<int:customer_id>/support-blocks", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, SupportBlockSchema(many=True))
@blp.paginate()
def list_support_blocks(customer_id):
    return support_blocks.support_blocks_of(client_file.get_customer(customer_id).id)


@blp.route("/customers/<int:customer_id>/billing-plans", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreateBillingPlanSchema)
@blp.response(201, BillingPlanSchema)
def create_billing_plan(plan, customer_id):
    return milestones.create_billing_plan(customer_id, actor=current_actor(), **plan)


@blp.route("/billing-plans/<int:plan_id>", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, BillingPlanSchema)
def get_billing_plan(plan_id):
    return milestones.get_billing_plan(plan_id)


@blp.route("/billing-plans/<int:plan_id>/milestones", methods=["PUT"])
@require_role(*STAFF)
@blp.arguments(ChangeMilestonesSchema)
@blp.response(200, BillingPlanSchema)
def change_milestones(changes, plan_id):
    """The milestones not invoiced yet, in order: one with its `id` is changed, one without is added, one left
    out is removed. Invoiced milestones stay first, as they are: naming one is a 409 that names it. 422 if
    the plan would bill more than its agreed price."""
    return milestones.change_milestones(plan_id, changes["milestones"])


@blp.route("/billing-plans/<int:plan_id>/milestones/<int:milestone_id>/invoice", methods=["POST"])
@require_role(*STAFF)
@blp.response(201, InvoiceSummarySchema)
def invoice_milestone(plan_id, milestone_id):
    return milestones.invoice_milestone(plan_id, milestone_id)
