"""What `make run` prints: each task the worker runs once, not twice, and no page-by-page audit
log from the demo seed; and the SITE_URL it gives (emails point at its own port)."""

import io
import logging
import logging.config
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command
from django.test import override_settings
from django.utils.log import DEFAULT_LOGGING

from campaigns.management.commands import seed_demo
from eyos.settings import base


def handlers_printing(logger_name, config):
    """How many handlers print an INFO record of `logger_name` once Django has applied `config`
    (its own DEFAULT_LOGGING first, as django.utils.log.configure_logging does)."""
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(config)
    record = logging.getLogger(logger_name).makeRecord(logger_name, logging.INFO, __file__, 1, "Task x", (), None)
    count, current = 0, logging.getLogger(logger_name)
    while current:
        count += sum(1 for h in current.handlers if record.levelno >= h.level and h.filter(record))
        if not current.propagate:
            break
        current = current.parent
    return count


@pytest.fixture
def restore_logging(settings):
    yield
    logging.config.dictConfig(DEFAULT_LOGGING)
    logging.config.dictConfig(settings.LOGGING)


@override_settings(DEBUG=True)
def test_a_task_record_is_printed_once_in_development(restore_logging):
    assert handlers_printing("django.tasks", base.LOGGING) == 1
    assert handlers_printing("eyos.worker", base.LOGGING) == 1
    # Negative control: without the project's entry for "django", Django's own console handler
    # prints it as well (what `make run` showed).
    without = {**base.LOGGING, "loggers": {k: v for k, v in base.LOGGING["loggers"].items() if k != "django"}}
    assert handlers_printing("django.tasks", without) == 2


def test_warnings_from_django_still_reach_the_console(restore_logging):
    assert handlers_printing("django.security.csrf", base.LOGGING) >= 1


def fake_seed(*args, **kwargs):
    logging.getLogger("wagtail").info('Page created: "Demo"')
    logging.getLogger("wagtail").warning("a real problem")
    return {}


@pytest.fixture
def fake_seeding(monkeypatch):
    for name in ("seed_pages", "seed_accounts", "seed_events"):
        monkeypatch.setattr(seed_demo, name, fake_seed)


def test_the_demo_seed_leaves_out_wagtails_audit_log(fake_seeding, caplog, settings):
    settings.DEBUG = True
    caplog.set_level(logging.INFO)
    call_command("seed_demo", quiet_accounts=True, stdout=io.StringIO())
    messages = [r.getMessage() for r in caplog.records if r.name == "wagtail"]
    assert messages == ["a real problem"] * 3
    assert logging.getLogger("wagtail").level == logging.NOTSET  # restored afterwards


def test_verbosity_2_shows_the_audit_log(fake_seeding, caplog, settings):
    settings.DEBUG = True
    caplog.set_level(logging.INFO)
    call_command("seed_demo", quiet_accounts=True, verbosity=2, stdout=io.StringIO())
    assert sum(r.getMessage() == 'Page created: "Demo"' for r in caplog.records) == 3


# `make run` points emails at its own port --------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.skipif(not shutil.which("make"), reason="needs GNU make")
@pytest.mark.parametrize("env, expected", [
    ({"PORT": "8080"}, "http://127.0.0.1:8080"),
    ({}, "http://127.0.0.1:8000"),
    ({"PORT": "8080", "SITE_URL": "https://events.example.org"}, "https://events.example.org"),
])
def test_make_run_sets_site_url_from_the_port(tmp_path, env, expected):
    fake_python = tmp_path / "python"
    fake_python.write_text('#!/bin/sh\necho "SITE_URL=$SITE_URL"\n')
    fake_python.chmod(0o755)
    base = {key: value for key, value in os.environ.items() if key not in ("SITE_URL", "PORT", "MAKEFLAGS", "MFLAGS")}
    result = subprocess.run(
        ["make", "--no-print-directory", "-o", ".venv/.installed", "run", "VENV=.venv", f"PY={fake_python}"],
        cwd=Path(__file__).resolve().parents[2], env={**base, **env}, capture_output=True, text=True,
        timeout=60, start_new_session=True,  # the recipe's `trap 'kill 0'` stays in its own group
    )
    lines = [line for line in result.stdout.splitlines() if line.startswith("SITE_URL=")]
    assert lines and set(lines) == {f"SITE_URL={expected}"}, result.stdout + result.stderr
