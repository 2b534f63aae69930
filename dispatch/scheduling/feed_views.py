"""The technicians' calendar feeds, fetched by phone calendars: no login, the secret URL is the key."""
from flask import Blueprint, Response

from dispatch.scheduling import feeds

bp = Blueprint("calendar_feeds", __name__)


@bp.route("/calendar/<token>.ics")
def technician_calendar(token: str) -> Response:
    # private: the feed is one technician's, no shared cache may keep it; no-cache: changes show at the next fetch.
    return Response(feeds.technician_calendar(token), mimetype="text/calendar", headers={"Cache-Control": "private, no-cache"})
