"""A form sent without a valid CSRF token (a page open too long, cookies refused) answers 403 with
the site's own page in the visitor's language and a way back - not Django's English page, whose
inline style the Content-Security-Policy blocks and which talks about DEBUG."""

import pytest
from django.contrib.sessions.backends.base import SessionBase
from django.db import DatabaseError
from django.test import Client, RequestFactory
from django.utils import translation
from django.utils.functional import SimpleLazyObject

from eyos import views
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def event(db):
    return factories.published_event(factories.organisation("FR"), days=20)


def test_a_public_form_without_its_token_answers_in_french_with_the_site_layout(event):
    client = Client(enforce_csrf_checks=True)
    form_page = f"/fr/events/{event.uid}/"
    response = client.post(f"/fr/events/{event.uid}/register/", {"name": "Ana", "email": "ana@example.org",
                                                                  "consent": "on"},
                           HTTP_REFERER=f"http://testserver{form_page}")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="fr"' in html and 'class="site-header"' in html and 'class="site-footer"' in html
    with translation.override("fr"):
        assert translation.gettext("The form could not be sent") != "The form could not be sent"
        assert translation.gettext("The form could not be sent") in html
        assert translation.gettext("Back to the page you came from") in html
    assert "DEBUG" not in html and "CSRF" not in html and "<style" not in html and " style=" not in html
    assert f'href="{form_page}"' in html  # back where the form was
    assert 'href="/fr/"' in html  # and home
    assert "Content-Security-Policy" in response and "unsafe-inline" not in response["Content-Security-Policy"]


@pytest.mark.parametrize("referer", ["https://evil.example/fr/", "//evil.example/", "javascript:alert(1)", "\x00",
                                     "/fr/\x00"])
def test_a_link_back_only_to_this_site(event, referer):
    client = Client(enforce_csrf_checks=True)
    response = client.post(f"/fr/events/{event.uid}/register/", {"name": "Ana"}, HTTP_REFERER=referer)
    assert response.status_code == 403
    html = response.content.decode()
    assert "evil.example" not in html and "javascript:" not in html
    assert 'href="/fr/"' in html


def test_it_answers_in_the_language_of_the_url(event):
    client = Client(enforce_csrf_checks=True)
    for language in ("de", "mt", "en"):
        response = client.post(f"/{language}/events/{event.uid}/register/", {"name": "Ana"})
        assert response.status_code == 403 and f'<html lang="{language}"' in response.content.decode()


def _unavailable():
    raise DatabaseError("the session store is down")


class BrokenSession(SessionBase):
    def load(self):
        raise DatabaseError("the session store is down")


def test_no_500_without_a_session_or_a_user():
    factory = RequestFactory()
    bare = factory.post("/fr/events/x/register/")  # no session, no user: middleware never ran
    broken = factory.post("/fr/events/x/register/", HTTP_REFERER="http://testserver/fr/events/")
    broken.user = SimpleLazyObject(_unavailable)
    broken.session = BrokenSession()
    for request in (bare, broken):
        with translation.override("fr"):
            response = views.csrf_failure(request, reason="CSRF cookie not set.")
        assert response.status_code == 403
        with translation.override("fr"):
            assert translation.gettext("The form could not be sent") in response.content.decode()
