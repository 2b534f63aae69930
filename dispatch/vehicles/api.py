"""Company vehicles, and the monthly report of miles per vehicle and per technician."""
from dispatch.auth.access import require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import Blueprint
from dispatch.vehicles import service
from dispatch.vehicles.schemas import AddVehicleSchema, MileageReportQueryArgsSchema, MileageReportSchema, VehicleSchema

blp = Blueprint("vehicles_api", __name__, description="Company vehicles and mileage")


@blp.route("/vehicles", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(AddVehicleSchema)
@blp.response(201, VehicleSchema)
def add_vehicle(vehicle):
    return service.add_vehicle(**vehicle)


@blp.route("/vehicles", methods=["GET"])
@blp.response(200, VehicleSchema(many=True))
@blp.paginate()
def list_vehicles():
    """Every role: a technician picks the vehicle they drove when filing."""
    return service.list_vehicles()


@blp.route("/vehicles/<int:vehicle_id>/retire", methods=["POST"])
@require_role(*STAFF)
@blp.response(200, VehicleSchema)
def retire_vehicle(vehicle_id):
    return service.retire_vehicle(vehicle_id)


@blp.route("/reports/mileage", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(MileageReportQueryArgsSchema, location="query")
@blp.response(200, MileageReportSchema)
def mileage_report(query_args):
    return service.mileage_report(query_args["month"])
