from datetime import timedelta

from dispatch.auth.access import current_actor, require_role
from dispatch.auth.permissions import STAFF, ensure_visible
from dispatch.core.api import Blueprint
from dispatch.core.time import utcnow
from dispatch.scheduling import availability, feeds, maintenance, service
from dispatch.scheduling.schemas import (
    AppointmentChangeSchema,
    AppointmentQueryArgsSchema,
    AppointmentSchema,
    AppointmentStatusSchema,
    BookAppointmentSchema,
    CalendarFeedSchema,
    CancelAppointmentSchema,
    CreateMaintenancePlanSchema,
    FirstFreeSlotArgsSchema,
    FreeSlotSchema,
    FreeTechniciansArgsSchema,
    MaintenancePlanQueryArgsSchema,
    MaintenancePlanSchema,
    MoveAppointmentSchema,
    TimeOffSchema,
    UpdateMaintenancePlanSchema,
    WeeklyHoursSchema,
)

blp = Blueprint("scheduling_api", __name__, description="Appointments, working hours and free slots")


@blp.route("/appointments", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(BookAppointmentSchema)
@blp.response(201, AppointmentSchema)
def book_appointment(appointment):
    """Book a visit; 409 naming the clash if the technician is already booked then, or outside their hours."""
    return service.book_visit(current_actor(), **appointment)


@blp.route("/appointments", methods=["GET"])
@blp.arguments(AppointmentQueryArgsSchema, location="query")
@blp.response(200, AppointmentSchema(many=True))
@blp.paginate()
def list_appointments(query_args):
    """Appointments by start time; a technician sees only their own."""
    return service.appointments_query(current_actor(), **query_args)


@blp.route("/appointments/<int:appointment_id>", methods=["GET"])
@blp.response(200, AppointmentSchema)
def get_appointment(appointment_id):
    return service.get_appointment(appointment_id, current_actor())


@blp.route("/appointments/<int:appointment_id>", methods=["PATCH"])
@require_role(*STAFF)
@blp.arguments(MoveAppointmentSchema)
@blp.response(200, AppointmentSchema)
def move_appointment(change, appointment_id):
    """Move to another time, reassign to another technician (null: unassigned), or change the notes."""
    return service.move_appointment(appointment_id, current_actor(), **change)


@blp.route("/appointments/<int:appointment_id>/cancel", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CancelAppointmentSchema)
@blp.response(200, AppointmentSchema)
def cancel_appointment(cancellation, appointment_id):
    return service.cancel_appointment(appointment_id, current_actor(), **cancellation)


@blp.route("/appointments/<int:appointment_id>/status", methods=["POST"])
@blp.arguments(AppointmentStatusSchema)
@blp.response(200, AppointmentSchema)
def update_appointment_status(update, appointment_id):
    """From the field: en_route, in_progress, no_show. Completing is filing the work order."""
    return service.update_status(appointment_id, current_actor(), **update)


@blp.route("/appointments/<int:appointment_id>/history", methods=["GET"])
@blp.response(200, AppointmentChangeSchema(many=True))
@blp.paginate()
def appointment_history(appointment_id):
    return service.appointment_history(appointment_id, current_actor())


@blp.route("/technicians/<int:technician_id>/working-hours", methods=["GET"])
@blp.response(200, WeeklyHoursSchema)
def weekly_hours(technician_id):
    ensure_visible(current_actor(), technician_id)
    availability.active_technician(technician_id)
    return _week(availability.weekly_hours(technician_id))


@blp.route("/technicians/<int:technician_id>/working-hours", methods=["PUT"])
@require_role(*STAFF)
@blp.arguments(WeeklyHoursSchema)
@blp.response(200, WeeklyHoursSchema)
def set_weekly_hours(week, technician_id):
    """Replace the weekly pattern (company time); a weekday left out is a day off."""
    days = {day["weekday"]: (day["starts_at"], day["ends_at"]) for day in week["days"]}
    return _week(availability.set_weekly_hours(technician_id, days))


@blp.route("/technicians/<int:technician_id>/time-off", methods=["GET"])
@blp.response(200, TimeOffSchema(many=True))
@blp.paginate()
def list_time_off(technician_id):
    ensure_visible(current_actor(), technician_id)
    return availability.list_time_off(technician_id, utcnow())


@blp.route("/technicians/<int:technician_id>/time-off", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(TimeOffSchema)
@blp.response(201, TimeOffSchema)
def add_time_off(time_off, technician_id):
    return availability.add_time_off(technician_id, **time_off)


@blp.route("/time-off/<int:time_off_id>", methods=["DELETE"])
@require_role(*STAFF)
@blp.response(204)
def cancel_time_off(time_off_id):
    availability.cancel_time_off(time_off_id)


@blp.route("/scheduling/first-free-slot", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(FirstFreeSlotArgsSchema, location="query")
@blp.response(200, FreeSlotSchema)
def first_free_slot(query_args):
    """The technician's first free slot of `minutes` on or after a date, inside their hours."""
    technician = availability.active_technician(query_args["technician_id"])
    starts_at = availability.find_first_free_slot(technician.id, query_args["on_or_after"], query_args["minutes"])
    return _slot(technician, starts_at, query_args["minutes"])


@blp.route("/scheduling/free-technicians", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(FreeTechniciansArgsSchema, location="query")
@blp.response(200, FreeSlotSchema(many=True))
@blp.paginate()
def free_technicians(query_args):
    """Who has `minutes` free on a day, each with their first such slot, earliest first."""
    minutes = query_args["minutes"]
    return [_slot(technician, starts_at, minutes) for technician, starts_at in availability.free_technicians(query_args["day"], minutes)]


def _week(days: dict) -> dict:
    return {"days": [{"weekday": weekday, "starts_at": hours[0], "ends_at": hours[1]} for weekday, hours in sorted(days.items())]}


def _slot(technician, starts_at, minutes: int) -> dict:
    return {
        "technician_id": technician.id,
        "technician_name": technician.name,
        "starts_at": starts_at,
        "ends_at": starts_at + timedelta(minutes=minutes),
    }


@blp.route("/maintenance-plans", methods=["POST"])
@require_role(*STAFF)
@blp.arguments(CreateMaintenancePlanSchema)
@blp.response(201, MaintenancePlanSchema)
def create_maintenance_plan(plan):
    """A recurring maintenance plan; its visits up to `days_ahead` (default 30) are booked at once, then daily."""
    return maintenance.create_plan(current_actor(), **plan)


@blp.route("/maintenance-plans", methods=["GET"])
@require_role(*STAFF)
@blp.arguments(MaintenancePlanQueryArgsSchema, location="query")
@blp.response(200, MaintenancePlanSchema(many=True))
@blp.paginate()
def list_maintenance_plans(query_args):
    return maintenance.plans_query(**query_args)


@blp.route("/maintenance-plans/<int:plan_id>", methods=["GET"])
@require_role(*STAFF)
@blp.response(200, MaintenancePlanSchema)
def get_maintenance_plan(plan_id):
    return maintenance.get_plan(plan_id)


@blp.route("/maintenance-plans/<int:plan_id>", methods=["PATCH"])
@require_role(*STAFF)
@blp.arguments(UpdateMaintenancePlanSchema)
@blp.response(200, MaintenancePlanSchema)
def update_maintenance_plan(changes, plan_id):
    """Change a plan; visits already booked stay where they are, the change applies to the ones booked from now on."""
    return maintenance.update_plan(plan_id, current_actor(), **changes)


@blp.route("/maintenance-plans/<int:plan_id>/deactivate", methods=["POST"])
@require_role(*STAFF)
@blp.response(200, MaintenancePlanSchema)
def deactivate_maintenance_plan(plan_id):
    """Stop a plan: no more visits, and its scheduled visits still to come are cancelled."""
    return maintenance.deactivate_plan(plan_id, current_actor())


@blp.route("/technicians/<int:technician_id>/calendar-feed", methods=["POST"])
@blp.response(201, CalendarFeedSchema)
def rotate_calendar_feed(technician_id):
    """A new private iCalendar URL for the technician (themself or the office), shown this once; the old URL stops working."""
    return {"url": feeds.rotate_calendar_feed(technician_id, current_actor())}
