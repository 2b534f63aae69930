"""Background jobs of scheduling. Each takes ids (or nothing), and is safe to run twice."""
from dispatch.core.time import company_today


def email_visit_invitation(invitation_id: int) -> bool:
    """Email the customer one version of their visit as an .ics invitation; whether it went out now."""
    # Imported here: invitations requests this module's jobs, so this module cannot import it first.
    from dispatch.scheduling import invitations

    return invitations.send_invitation(invitation_id)


def generate_maintenance_visits() -> int:
    """Daily, from cron: book the maintenance plans' visits coming up; how many were booked."""
    from dispatch.scheduling import maintenance

    return maintenance.generate_maintenance_visits(company_today())
