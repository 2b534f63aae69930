"""The technician's pages as an app on the phone: the service worker, served from the top of the site.

A service worker controls only the paths under its own address, so it cannot live under /static/.
"""
from flask import Blueprint, current_app, send_from_directory

bp = Blueprint("phone", __name__)


@bp.route("/service-worker.js")
def service_worker():
    response = send_from_directory(current_app.static_folder, "service-worker.js", mimetype="text/javascript")
    # The browser checks for a new worker on each visit; a cached copy would pin an old one.
    response.headers["Cache-Control"] = "no-cache"
    return response
