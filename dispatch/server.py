"""Serving the app with gunicorn, from inside `dispatch serve`."""
import os

from flask import Flask
from gunicorn.app.base import BaseApplication


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
        },
    ).run()
