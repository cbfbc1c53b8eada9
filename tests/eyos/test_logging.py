"""Nothing personal in the logs: Django's request log and gunicorn's access log name paths, which
may carry signed links and personal feed tokens; neither names client addresses."""

import logging
from datetime import timedelta
from types import SimpleNamespace

import pytest

from eyos.logging import GunicornLogger, redact_path

TOKEN = "eyJyIjoyNjY1LCJhIjoiY29uZmlybSJ9:1xWaOq:1BRFh-Fc7bq6QTPrOx_zINarK1UuDFJfjD9-CnW3U8o"


@pytest.mark.parametrize("path, expected", [
    (f"/en/registrations/confirm/{TOKEN}/", "/en/registrations/confirm/[secret]/"),
    ("/feeds/me/Zk3q9Xr0uV1pLmN8sT2wYbCdEfGhIjKl.ics", "/feeds/me/[secret].ics"),
    ("/en/accounts/confirm-email/MQ:1xWa:abcdefghijklmnopqrstu/", "/en/accounts/confirm-email/[secret]/"),
    ("/en/events/?q=anna@example.org", "/en/events/"),
    ("/en/events/73a02f2b-2834-47f7-aa23-aedaf6fdf999/", "/en/events/73a02f2b-2834-47f7-aa23-aedaf6fdf999/"),
    ("/en/campaigns/a-long-but-harmless-page-slug/", "/en/campaigns/a-long-but-harmless-page-slug/"),
    ("/en/x/anna@example.org/", "/en/x/[email]/"),
    # Django's password-reset keys look like slugs: redacted by route.
    ("/en/accounts/password/reset/key/6-dinsum-7a1bdf4a59bccfc4486f12654db5e9be/",
     "/en/accounts/password/reset/key/[secret]/"),
    ("/admin/password_reset/confirm/MQ/6-dinsum-7a1bdf4a59bccfc4486f/", "/admin/password_reset/confirm/[secret]/"),
])
def test_paths_lose_their_secrets_and_addresses(path, expected):
    assert redact_path(path) == expected


def test_a_rejected_signed_link_is_logged_without_its_token(client, db, caplog):
    with caplog.at_level(logging.WARNING, logger="django.request"):
        response = client.get(f"/en/registrations/confirm/{TOKEN}x/")
    assert response.status_code == 400
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "/en/registrations/confirm/[secret]/" in logged and TOKEN[:20] not in logged


def gunicorn_logger():
    return GunicornLogger(SimpleNamespace(
        errorlog="-", loglevel="info", accesslog="-", access_log_format='%(h)s "%(r)s" %(s)s %(f)s %(a)s %(q)s',
        syslog=False, capture_output=False, logconfig=None, logconfig_dict={}, logconfig_json=None,
        disable_redirect_access_to_syslog=False, user=0, group=0, umask=0, dogstatsd_tags="",
        statsd_host=None, statsd_prefix="", errorlog_level="info",
    ))


def test_gunicorn_access_lines_name_no_address_no_secret_no_query():
    logger = gunicorn_logger()
    environ = {"REQUEST_METHOD": "GET", "RAW_URI": f"/en/registrations/cancel/{TOKEN}/?x=anna@example.org",
               "PATH_INFO": f"/en/registrations/cancel/{TOKEN}/", "QUERY_STRING": "x=anna@example.org",
               "SERVER_PROTOCOL": "HTTP/1.1", "REMOTE_ADDR": "203.0.113.9", "HTTP_USER_AGENT": "Firefox",
               "HTTP_REFERER": f"https://eyos.example/en/registrations/cancel/{TOKEN}/"}
    atoms = logger.atoms(SimpleNamespace(status="200 OK", sent=10, headers=[]), SimpleNamespace(headers=[
        ("COOKIE", "sessionid=abc"), ("X-FORWARDED-FOR", "198.51.100.7")]), environ, timedelta(seconds=0.01))
    line = logger.cfg.access_log_format % atoms
    for personal in ("203.0.113.9", "198.51.100.7", TOKEN[:20], "anna@", "Firefox", "sessionid"):
        assert personal not in line, personal
    assert '"GET /en/registrations/cancel/[secret]/ HTTP/1.1" 200' in line


def test_a_refused_csrf_post_to_a_signed_link_is_logged_without_its_token(db, caplog):
    from django.test import Client

    with caplog.at_level(logging.WARNING, logger="django.security.csrf"):
        response = Client(enforce_csrf_checks=True).post(f"/en/registrations/cancel/{TOKEN}/")
    assert response.status_code == 403
    logged = " ".join(record.getMessage() for record in caplog.records)
    assert "Forbidden" in logged and TOKEN[:20] not in logged


def test_gunicorn_error_lines_name_no_client_address_and_no_secret(capsys):
    logger = gunicorn_logger()
    logger.error("Invalid request from ip=%s: %s", "203.0.113.9", "Invalid HTTP method")
    logger.error("Invalid request from ip=%s: %s", "2001:db8::7", "x")
    logger.exception("Error handling request %s", f"/en/registrations/cancel/{TOKEN}/")
    logger.info("Booting worker with pid: %s at 15:42:14", 1234)
    written = capsys.readouterr().err
    assert "203.0.113.9" not in written and "2001:db8" not in written and TOKEN[:20] not in written
    assert "Invalid request from ip=[ip]" in written and "/en/registrations/cancel/[secret]/" in written
    assert "15:42:14" in written and "1234" in written  # times and pids stay
