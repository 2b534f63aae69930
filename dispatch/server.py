"""Serving the app with gunicorn, from inside `dispatch serve`."""
import os
import re

from flask import Flask
from gunicorn.app.base import BaseApplication
from gunicorn.glogging import Logger

# Customers' invoice and estimate links and technicians' calendar feeds carry their secret in the path.
SECRET_IN_PATH = re.compile(r"(/(?:i|e|calendar)/)[A-Za-z0-9_-]{20,64}")


class AccessLogWithoutSecrets(Logger):
    """The access log names the route, never the secret: whoever reads the logs must not be able to open the links."""

    def atoms(self, resp, req, environ, request_time):
        atoms = super().atoms(resp, req, environ, request_time)
        # Every atom, not just the request line: a client that ignores the link pages' no-referrer sends it as Referer.
        return {name: SECRET_IN_PATH.sub(r"\1[secret]", value) if isinstance(value, str) else value for name, value in atoms.items()}


class GunicornServer(BaseApplication):
    def __init__(self, app: Flask, options: dict):
        self.app = app
        self.options = options
        super().__init__()

    def load_config(self):
        for name, value in self.options.items():
            self.cfg.set(name, value)

    def load(self):
        return self.app


def serve_with_gunicorn(app: Flask, host: str, port: int) -> None:
    GunicornServer(
        app,
        {
            "bind": f"{host}:{port}",
            "workers": int(os.environ.get("WEB_CONCURRENCY", "2")),
            "accesslog": "-",
            "logger_class": AccessLogWithoutSecrets,
        },
    ).run()
