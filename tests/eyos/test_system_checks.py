"""Django's system checks, which pytest never runs by itself: `migrate` (the Procfile's release)
and `check --deploy` refuse to start on any error, so an error here is a deployment that fails."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core import checks
from django.core.management import call_command
from django.db import connection

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_the_system_checks_pass_on_this_database():
    call_command("check", "--database", "default", "--fail-level", "WARNING", stdout=open(os.devnull, "w"))


def test_without_django_contrib_postgres_the_checks_fail_on_postgresql_negative_control(monkeypatch):
    """What stopped `migrate` on PostgreSQL: wagtailsearch's IndexEntry needs the app."""
    from django.contrib.postgres import utils

    if connection.vendor != "postgresql":
        pytest.skip("the check concerns PostgreSQL only: make test-pg")
    real = utils.apps.is_installed
    monkeypatch.setattr(utils.apps, "is_installed", lambda name: name != "django.contrib.postgres" and real(name))
    errors = checks.run_checks(databases=["default"])
    assert "postgres.E005" in {error.id for error in errors}


def database_url():
    config = connection.settings_dict
    if connection.vendor == "postgresql":
        user, host, port = config["USER"] or "postgres", config["HOST"] or "127.0.0.1", config["PORT"] or 5432
        return f"postgres://{user}@{host}:{port}/{config['NAME']}"
    return f"sqlite:///{config['NAME']}" if str(config["NAME"]).startswith("/") else ""


def test_check_deploy_passes_with_production_settings():
    """As a host runs it: production settings, TLS switches on (their defaults), SMTP mail, this
    database, Redis. Warnings count as failures."""
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "eyos.settings.production",
        "SECRET_KEY": "a-long-random-production-key-" + "x" * 40,
        "ALLOWED_HOSTS": "eyos.example.org",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "redis://127.0.0.1:6379/12",
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": "smtp.example.org",
    }
    for switch in ("SECURE_SSL_REDIRECT", "SESSION_COOKIE_SECURE", "CSRF_COOKIE_SECURE", "DJANGO_DEBUG"):
        env.pop(switch, None)
    done = subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--database", "default",
                           "--fail-level", "WARNING"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "no issues" in done.stdout
