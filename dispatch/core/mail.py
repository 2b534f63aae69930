"""Sending email: over SMTP when SMTP_HOST is set, else as .eml files in the instance folder."""
import smtplib
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app

SMTP_TIMEOUT_SECONDS = 30


def new_message(to: str, subject: str, body: str) -> EmailMessage:
    config = current_app.config
    message = EmailMessage()
    message["From"] = config["MAIL_FROM"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain=config["MAIL_FROM"].rpartition("@")[2] or "dispatch.local")
    message.set_content(body)
    return message


def send(message: EmailMessage) -> str:
    """Send `message`; its Message-ID. SMTP errors propagate for the job to retry."""
    config = current_app.config
    if not config["SMTP_HOST"]:
        _write_to_outbox_folder(message, Path(config["MAIL_OUTBOX_DIR"]))
        return message["Message-ID"]
    with smtplib.SMTP(config["SMTP_HOST"], config["SMTP_PORT"], timeout=SMTP_TIMEOUT_SECONDS) as smtp:
        if config["SMTP_STARTTLS"]:
            smtp.starttls()
        if config["SMTP_USERNAME"]:
            smtp.login(config["SMTP_USERNAME"], config["SMTP_PASSWORD"] or "")
        smtp.send_message(message)
    return message["Message-ID"]


def _write_to_outbox_folder(message: EmailMessage, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    name = message["Message-ID"].strip("<>").replace("@", "_at_")
    (folder / f"{name}.eml").write_bytes(bytes(message))
