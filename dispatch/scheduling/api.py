from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF
from dispatch.core.api import Blueprint
from dispatch.scheduling import service
from dispatch.scheduling.schemas import AppointmentQueryArgsSchema, AppointmentSchema, BookAppointmentSchema

blp = Blueprint("scheduling_api", __name__, description="Appointments")


@blp.route("/appointments", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(BookAppointmentSchema)
@blp.response(201, AppointmentSchema)
def book_appointment(appointment):
    """Book a visit; 409 if the technician is already booked then."""
    return service.book_visit(**appointment)


@blp.route("/appointments", methods=["GET"])
@blp.arguments(AppointmentQueryArgsSchema, location="query")
@blp.response(200, AppointmentSchema(many=True))
def list_appointments(query_args):
    """Appointments by start time; a technician sees only their own."""
    return service.find_appointments(current_actor(), **query_args)
