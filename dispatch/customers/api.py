from dispatch.auth.access import require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import Blueprint
from dispatch.customers import service
from dispatch.customers.schemas import CreateCustomerSchema, CustomerQueryArgsSchema, CustomerSchema

blp = Blueprint("customers_api", __name__, description="Customers and their service sites")


@blp.route("/customers", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreateCustomerSchema)
@blp.response(201, CustomerSchema)
def create_customer(new_customer):
    return service.create_customer(**new_customer)


@blp.route("/customers", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(CustomerQueryArgsSchema, location="query")
@blp.response(200, CustomerSchema(many=True))
@blp.paginate()
def list_customers(query_args):
    return service.customers_query(query_args["q"], is_closed=query_args["closed"])


@blp.route("/customers/<int:customer_id>", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, CustomerSchema)
def get_customer(customer_id):
    return service.get_customer(customer_id)
