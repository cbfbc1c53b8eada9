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


def test_public_pages_have_a_strict_csp_and_the_admin_its_own(client, users):
    policy = client.get("/en/events/")["Content-Security-Policy"]
    for directive in ("default-src 'self'", "script-src 'self'", "style-src 'self'", "object-src 'none'",
                      "base-uri 'none'", "frame-ancestors 'self'"):
        assert directive in policy
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "nonce-" not in policy  # no inline script on the page: no nonce, so it stays cacheable
    assert "Content-Security-Policy" in client.get("/en/")
    client.force_login(users["admin"])
    for path in ("/admin/", "/admin/coordinators/", "/admin/pages/"):
        admin_policy = client.get(path)["Content-Security-Policy"]
        for directive in ("default-src 'self'", "object-src 'none'", "frame-ancestors 'self'",
                          "form-action 'self'", "connect-src 'self'"):
            assert directive in admin_policy, (path, directive)
        assert "unsafe-eval" not in admin_policy
        assert "http" not in admin_policy and "*" not in admin_policy  # no third-party origin
    # No Gravatar: the admin's avatars would send a hash of each user's address to another company.
    assert "gravatar" not in client.get("/admin/").content.decode()


def test_an_inline_script_runs_only_with_its_responses_nonce(rf):
    """The public policy lists CSP.NONCE: a template that writes {% csp_nonce_attr %} gets a fresh
    nonce per response, and the header names exactly that nonce."""
    import re

    from django.http import HttpResponse
    from django.template import RequestContext, Template

    from eyos.middleware import PublicSiteCSPMiddleware

    def view(request):
        return HttpResponse(Template("<script {% csp_nonce_attr %}>go()</script>").render(RequestContext(request)))

    middleware = PublicSiteCSPMiddleware(view)
    nonces = []
    for _ in range(2):
        response = middleware(rf.get("/en/"))
        written = re.search(r'nonce="([^"]+)"', response.content.decode()).group(1)
        assert f"script-src 'self' 'nonce-{written}'" in response["Content-Security-Policy"]
        nonces.append(written)
    assert nonces[0] != nonces[1] and len(nonces[0]) >= 16


def test_urls_with_secrets_send_no_referrer_and_show_no_form(client, db):
    """Signed links answer `Referrer-Policy: no-referrer` and show nothing: they keep the token in
    the session and redirect to a page without it, whose form (under the ordinary policy, so the
    browser sends a proper Origin for CSRF) does the work. A GET changes nothing."""
    from events import services
    from events.models import Registration
    from tests import factories

    member = factories.user("member@example.org")
    org = factories.organisation("FR", members=[member])
    event = factories.published_event(org)
    registration = services.registration_create(event=event, name="A", email="a@example.org", consent=True,
                                                language="en")
    for kind, heading in (("confirm", "Confirm my registration"), ("cancel", "Yes, cancel my registration")):
        token = services.registration_token(registration, kind)
        link = client.get(f"/en/registrations/{kind}/{token}/")
        assert link.status_code == 302 and link["Referrer-Policy"] == "no-referrer"
        assert link["Location"] == f"/en/registrations/{kind}/{registration.pk}/" and token not in link["Location"]
        page = client.get(link["Location"])
        assert page.status_code == 200 and heading in page.content.decode()
        assert page["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert token not in page.content.decode()
        assert Registration.objects.get(pk=registration.pk).status == "pending"  # GETs change nothing
    response = client.post(f"/en/registrations/confirm/{registration.pk}/")
    assert response.status_code == 200 and Registration.objects.get(pk=registration.pk).status == "confirmed"
    # Without a link first, the page has nothing to act on.
    assert client_without_session().get(f"/en/registrations/cancel/{registration.pk}/").status_code == 400
    # Invitations: the token does not even reach the sign-in URL.
    invite = services.organisation_invite_token(user=member, organisation=org)
    link = client.get(f"/en/organise/join/{invite}/")
    assert link["Referrer-Policy"] == "no-referrer" and link["Location"] == f"/en/organise/invitation/{org.slug}/"
    signing_in = client.get(link["Location"])
    assert signing_in.status_code == 302 and invite not in signing_in["Location"]
    assert client.get("/en/events/")["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert "camera=()" in client.get("/en/events/")["Permissions-Policy"]


def client_without_session():
    from django.test import Client

    return Client()


def test_two_links_open_in_one_browser_each_act_on_their_own(client, db):
    """The session keeps each link's token under its own registration or organisation, so the
    button on one page never acts on another link opened later."""
    from events import services
    from events.models import Registration
    from tests import factories

    org = factories.organisation("FR", name="First Org")
    a, b = factories.published_event(org), factories.published_event(org)
    first = services.registration_create(event=a, name="G", email="g@example.org", consent=True, language="en")
    second = services.registration_create(event=b, name="G", email="g@example.org", consent=True, language="en")
    page_a = client.get(f"/en/registrations/cancel/{services.registration_token(first, 'cancel')}/")["Location"]
    client.get(f"/en/registrations/cancel/{services.registration_token(second, 'cancel')}/")
    client.post(page_a)
    assert Registration.objects.get(pk=first.pk).status == "cancelled"
    assert Registration.objects.get(pk=second.pk).status == "pending"
    # Invitations the same way.
    person = factories.user("joiner@example.org")
    member_a, member_b = factories.user(), factories.user()
    org_a = factories.organisation("FR", members=[member_a], name="Org A")
    org_b = factories.organisation("FR", members=[member_b], name="Org B")
    client.force_login(person)
    join_a = client.get(f"/en/organise/join/{services.organisation_invite_token(user=member_a, organisation=org_a)}/")
    client.get(f"/en/organise/join/{services.organisation_invite_token(user=member_b, organisation=org_b)}/")
    client.post(join_a["Location"])
    assert org_a.members.filter(pk=person.pk).exists() and not org_b.members.filter(pk=person.pk).exists()
