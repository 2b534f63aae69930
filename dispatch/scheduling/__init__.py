"""Appointments, working hours, slot finding and calendar feeds."""
