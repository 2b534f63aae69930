"""Who may see what: rules every domain's services apply to the acting user."""
from dispatch.auth.models import Role, User
from dispatch.core.errors import NotFound

STAFF = (Role.DISPATCHER, Role.OWNER)


def ensure_visible(actor: User, technician_id: int | None) -> None:
    """A technician's records are theirs alone: to another technician they do not exist."""
    if actor.is_technician and technician_id != actor.id:
        raise NotFound()
