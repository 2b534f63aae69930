"""Settings come from the environment, with defaults that need nothing installed."""
import pytest

from dispatch.config import load_config


def test_embedded_defaults(tmp_path):
    config = load_config(tmp_path, environ={})
    assert config["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'dispatch.sqlite3'}"
    assert config["REDIS_URL"] is None
    assert config["SMTP_HOST"] is None
    assert config["DISPATCH_TIMEZONE"] == "UTC"
    assert config["SESSION_COOKIE_SECURE"] is True
    assert config["WORKER_NICENESS"] == 10


def test_every_documented_setting_is_read(tmp_path):
    environ = {
        "DATABASE_URL": "postgres://db.example/dispatch",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "SMTP_HOST": "mail.example",
        "SMTP_PORT": "2525",
        "SMTP_USERNAME": "mailer",
        "SMTP_PASSWORD": "secret",
        "SMTP_STARTTLS": "false",
        "MAIL_FROM": "office@example.test",
        "SECRET_KEY": "from-the-environment",
        "DISPATCH_TIMEZONE": "America/New_York",
        "WORKER_NICENESS": "0",
    }
    config = load_config(tmp_path, environ=environ)
    assert config["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://db.example/dispatch"
    assert config["REDIS_URL"] == "redis://127.0.0.1:6379/0"
    assert (config["SMTP_HOST"], config["SMTP_PORT"], config["SMTP_USERNAME"], config["SMTP_PASSWORD"]) == (
        "mail.example", 2525, "mailer", "secret",
    )
    assert config["SMTP_STARTTLS"] is False
    assert config["MAIL_FROM"] == "office@example.test"
    assert config["SECRET_KEY"] == "from-the-environment"
    assert config["DISPATCH_TIMEZONE"] == "America/New_York"
    assert config["WORKER_NICENESS"] == 0


def test_the_generated_secret_key_is_kept_across_restarts(tmp_path):
    first = load_config(tmp_path, environ={})["SECRET_KEY"]
    assert len(first) >= 64
    assert load_config(tmp_path, environ={})["SECRET_KEY"] == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


def test_an_unknown_timezone_is_refused_at_start(tmp_path):
    with pytest.raises(ValueError, match="Mars/Olympus_Mons"):
        load_config(tmp_path, environ={"DISPATCH_TIMEZONE": "Mars/Olympus_Mons"})
