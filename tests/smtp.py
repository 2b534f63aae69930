"""A real SMTP server for the tests (aiosmtpd), with an inbox they can read and switches to refuse or stall mail."""
import asyncio
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
        self.attempted_at: list[float] = []  # time.monotonic() of each message offered
        # While set, a sender is kept waiting after MAIL FROM, before any message is offered;
        # is_stalled tells the test one is waiting there.
        self.is_stalling = False
        self.is_stalled = threading.Event()
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
            self.attempted_at.clear()
            self.is_stalling = False
            self.is_stalled.clear()

    async def handle_MAIL(self, server, session, envelope, address, mail_options):
        while self.is_stalling:
            self.is_stalled.set()
            await asyncio.sleep(0.05)
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        with self._lock:
            self.attempts += 1
            self.attempted_at.append(time.monotonic())
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
