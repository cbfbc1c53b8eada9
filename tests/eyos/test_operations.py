import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def test_healthz_answers_ok_without_touching_the_database(client, db, django_assert_num_queries):
    with django_assert_num_queries(0):
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.content == b"ok"


def test_healthz_refuses_writes(client):
    assert client.post("/healthz").status_code == 405


def _manage(*args, env_extra=None):
    env = {k: v for k, v in os.environ.items() if k not in {"SECRET_KEY", "ALLOWED_HOSTS"}}
    env.pop("DATABASE_URL", None)
    env.update({"DJANGO_SETTINGS_MODULE": "eyos.settings.production"})
    env.update(env_extra or {})
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True
    )


@pytest.mark.parametrize(
    "env_extra, missing",
    [({"ALLOWED_HOSTS": "eyos.example.org"}, "SECRET_KEY"), ({"SECRET_KEY": "x" * 60}, "ALLOWED_HOSTS")],
)
def test_production_refuses_to_start_without_secret_or_hosts(env_extra, missing):
    result = _manage("check", env_extra=env_extra)
    assert result.returncode != 0
    assert f"{missing} must be set" in result.stderr


def test_production_passes_check_deploy_without_warnings():
    result = _manage(
        "check", "--deploy", "--fail-level", "WARNING",
        env_extra={"SECRET_KEY": "k3y-" + "x9Q" * 20, "ALLOWED_HOSTS": "eyos.example.org"},
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_procfile_declares_web_worker_and_release():
    processes = dict(
        line.split(":", 1) for line in (ROOT / "Procfile").read_text().splitlines() if line.strip()
    )
    assert "gunicorn eyos.wsgi" in processes["web"]
    assert "db_worker" in processes["worker"]
    assert "migrate" in processes["release"]


def test_wagtail_and_django_tasks_share_one_backend():
    """Wagtail 8 enqueues through the django-tasks backport; our mail goes through django.tasks.
    Both read the same TASKS setting, so one db_worker runs all of them."""
    import django.tasks
    import django_tasks

    from eyos.settings import base

    assert base.TASKS["default"]["BACKEND"] == "django_tasks_db.DatabaseBackend"
    assert django_tasks.task_backends.settings["default"]["BACKEND"] == (
        django.tasks.task_backends.settings["default"]["BACKEND"]
    )


def test_public_pages_have_a_strict_csp_and_the_admin_keeps_its_own(client, users):
    policy = client.get("/en/events/")["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "Content-Security-Policy" in client.get("/en/")
    client.force_login(users["admin"])
    assert "Content-Security-Policy" not in client.get("/admin/")


def test_pages_with_secrets_in_their_url_send_no_referrer_to_other_sites(client, db):
    from events import services
    from tests import factories

    event = factories.published_event(factories.organisation("FR"))
    registration = services.registration_create(event=event, name="A", email="a@example.org", consent=True,
                                                language="en")
    for kind in ("confirm", "cancel"):
        token = services.registration_token(registration, kind)
        assert client.get(f"/en/registrations/{kind}/{token}/")["Referrer-Policy"] == "same-origin"
    assert client.get("/en/events/")["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in client.get("/en/events/")["Permissions-Policy"]
