"""The organiser's preview: a draft's page as visitors will see it once it is published, for its
organisation's members only, without registration, and never for search engines or caches."""

import pytest

from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def organiser():
    return factories.user("preview-org@example.org")


@pytest.fixture
def draft(organiser):
    org = factories.organisation("FR", members=[organiser], name="Ateliers Lyon")
    return factories.event(org, title="Atelier en brouillon", description="<p>Un <strong>atelier</strong>.</p>",
                           capacity=12, registration_mode="platform")


def test_the_organiser_previews_the_draft_as_its_public_page(client, organiser, draft):
    client.force_login(organiser)
    detail = client.get(f"/en/organise/events/{draft.uid}/").content.decode()
    assert f'href="/en/organise/events/{draft.uid}/preview/"' in detail
    response = client.get(f"/en/organise/events/{draft.uid}/preview/")
    html = response.content.decode()
    assert response.status_code == 200
    # The public page's parts: title, rendered description, registration heading and places.
    assert "Atelier en brouillon" in html and "Un <strong>atelier</strong>." in html
    assert 'id="register-heading"' in html and "12 / 12" in html
    # Marked as a preview, with the way back and to the form.
    assert "It is not public yet." in html
    assert f'href="/en/organise/events/{draft.uid}/edit/"' in html
    # No way to register, share or add it to a calendar, nothing for search engines or caches.
    assert "events:register" not in html and f"/events/{draft.uid}/register/" not in html
    assert "data-share" not in html and "application/ld+json" not in html and "og:title" not in html
    assert '<meta name="robots" content="noindex, nofollow">' in html
    assert response["X-Robots-Tag"] == "noindex, nofollow"
    assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
    # The draft itself stays unpublished and its public address unknown.
    assert client.get(f"/en/events/{draft.uid}/").status_code == 404
    draft.refresh_from_db()
    assert draft.status == Event.Status.DRAFT


def test_nobody_else_sees_the_preview(client, draft):
    url = f"/en/organise/events/{draft.uid}/preview/"
    response = client.get(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    stranger = factories.user("other-org@example.org")
    factories.organisation("FR", members=[stranger], name="Autre association")
    client.force_login(stranger)
    assert client.get(url).status_code == 404
    # Not even a coordinator of the country, on the organisers' side of the site.
    client.force_login(factories.coordinator("FR"))
    assert client.get(url).status_code == 404


def test_a_published_event_links_to_its_public_page_instead(client, organiser):
    org = factories.organisation("DE", members=[organiser])
    event = factories.published_event(org, title="Schon veröffentlicht")
    client.force_login(organiser)
    detail = client.get(f"/en/organise/events/{event.uid}/").content.decode()
    assert f'href="/en/events/{event.uid}/"' in detail and "/preview/" not in detail
