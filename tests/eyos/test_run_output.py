"""What `make run` prints: each task the worker runs once, not twice, and no page-by-page audit
log from the demo seed."""

import io
import logging
import logging.config

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
