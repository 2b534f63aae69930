"""Every setting Dispatch reads, from the environment, with the embedded defaults.

The embedded defaults let a newcomer run Dispatch with nothing else installed:
an SQLite file and mail written to files in the instance folder, jobs run
inline right after commit.
"""
import os
import secrets
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TRUE_WORDS = {"1", "true", "yes", "on"}


def load_config(instance_path: Path, environ=os.environ) -> dict:
    """The app's configuration from `environ`; the instance folder holds local state."""
    database_url = environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'dispatch.sqlite3'}"
    return {
        "SQLALCHEMY_DATABASE_URI": _psycopg3_url(database_url),
        "REDIS_URL": environ.get("REDIS_URL") or None,
        "RQ_QUEUE": environ.get("RQ_QUEUE", "dispatch"),
        "SMTP_HOST": environ.get("SMTP_HOST") or None,
        "SMTP_PORT": int(environ.get("SMTP_PORT", "587")),
        "SMTP_USERNAME": environ.get("SMTP_USERNAME") or None,
        "SMTP_PASSWORD": environ.get("SMTP_PASSWORD") or None,
        "SMTP_STARTTLS": _flag(environ.get("SMTP_STARTTLS", "true")),
        "MAIL_FROM": environ.get("MAIL_FROM", "dispatch@localhost"),
        "MAIL_OUTBOX_DIR": str(instance_path / "outbox"),
        # Uploaded files (receipts, client documents, job photos, signatures), never served publicly:
        # in the object store FILES_URL names (any fsspec URL), else on disk under FILES_DIR.
        "FILES_URL": environ.get("FILES_URL") or None,
        "FILES_DIR": environ.get("FILES_DIR") or str(instance_path / "files"),
        # Where customers reach Dispatch: the links in emails start with it.
        "PUBLIC_URL": environ.get("PUBLIC_URL", "http://localhost:8000").rstrip("/"),
        # Seconds between a failed job's retries; RQ gives up after the last.
        "JOB_RETRY_INTERVALS": [int(seconds) for seconds in environ.get("JOB_RETRY_INTERVALS", "30,120,600").split(",")],
        # How much `dispatch worker` lowers its CPU priority (os.nice; 0: not at all), so that rendering and
        # mailing PDFs never slows the web server on a small machine. Its work horses inherit it.
        "WORKER_NICENESS": int(environ.get("WORKER_NICENESS", "10")),
        "SECRET_KEY": environ.get("SECRET_KEY") or _kept_secret_key(instance_path),
        "DISPATCH_TIMEZONE": _timezone_name(environ.get("DISPATCH_TIMEZONE", "UTC")),
        "SESSION_COOKIE_SECURE": _flag(environ.get("SESSION_COOKIE_SECURE", "true")),
        "SESSION_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SECURE": _flag(environ.get("SESSION_COOKIE_SECURE", "true")),
        "REMEMBER_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "LOGIN_MAX_FAILURES_PER_ACCOUNT": int(environ.get("LOGIN_MAX_FAILURES_PER_ACCOUNT", "5")),
        "LOGIN_MAX_FAILURES_PER_ADDRESS": int(environ.get("LOGIN_MAX_FAILURES_PER_ADDRESS", "20")),
        "LOGIN_FAILURE_WINDOW_SECONDS": int(environ.get("LOGIN_FAILURE_WINDOW_SECONDS", "900")),
        # Bodies larger than this are refused with 413; views taking uploads allow more (dispatch.core.body_limits).
        "MAX_CONTENT_LENGTH": int(environ.get("MAX_BODY_BYTES", str(1024 * 1024))),
        # flask-smorest: the OpenAPI document at /api/v1/openapi.json
        "API_TITLE": "Dispatch",
        "API_VERSION": "v1",
        "OPENAPI_VERSION": "3.0.3",
        "OPENAPI_URL_PREFIX": "/api/v1",
        "OPENAPI_JSON_PATH": "openapi.json",
    }


def _flag(value: str) -> bool:
    return value.strip().lower() in TRUE_WORDS


def _psycopg3_url(url: str) -> str:
    """Let operators write the usual postgres:// URLs; we drive them with psycopg 3."""
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix):]
    return url


def _timezone_name(name: str) -> str:
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise ValueError(f"DISPATCH_TIMEZONE={name!r} is not a known IANA timezone") from error
    return name


def _kept_secret_key(instance_path: Path) -> str:
    """Generate the session key once and keep it, so logins survive a restart."""
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
        key_file.chmod(0o600)
    return key_file.read_text().strip()
