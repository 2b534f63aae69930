"""A real SMTP server for the tests (aiosmtpd), with an inbox they can read and a switch to refuse mail."""
import email
import socket
import threading
import time
from email.message import EmailMessage
from email.policy import default

from aiosmtpd.controller import Controller


class SmtpServer:
    def __init__(self):
        self.messages: list[EmailMessage] = []
        self.is_refusing = False
        self.attempts = 0
        self._lock = threading.Lock()
        self._controller = Controller(self, hostname="127.0.0.1", port=_free_port())

    @property
    def settings(self) -> dict:
        return {"SMTP_HOST": "127.0.0.1", "SMTP_PORT": self._controller.port, "SMTP_STARTTLS": False}

    def start(self):
        self._controller.start()

    def stop(self):
        self._controller.stop()

    def clear(self):
        with self._lock:
            self.messages.clear()
            self.is_refusing = False
            self.attempts = 0

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.attempts += 1
            if self.is_refusing:
                return "451 4.3.0 Mailbox temporarily unavailable"
            self.messages.append(email.message_from_bytes(envelope.content, policy=default))
        return "250 Message accepted"

    def wait_for(self, count: int, seconds: float = 30) -> list[EmailMessage]:
        """The inbox once it holds `count` messages (jobs may run in a worker process)."""
        deadline = time.monotonic() + seconds
        while len(self.messages) < count and time.monotonic() < deadline:
            time.sleep(0.05)
        return list(self.messages)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]
