"""The review page shows what a coordinator must check: accessibility and the registration window;
a decision sent without what it needs shows an error summary at the top of the page."""

from datetime import UTC, datetime

import pytest

from events.models import Event
from tests import factories
from tests.pages import page

pytestmark = pytest.mark.django_db
S = Event.Status


@pytest.fixture
def users(users):
    """The demo accounts, reading the admin in English (factories.in_english)."""
    return factories.in_english(users)


def review_page(client, **fields):
    org = factories.organisation("FR")
    event = factories.event(org, status=Event.Status.SUBMITTED, timezone="Europe/Paris", **fields)
    client.force_login(factories.coordinator("FR"))
    response = client.get(f"/admin/coordinators/events/{event.uid}/")
    assert response.status_code == 200
    return response.content.decode()


def test_accessibility_details_are_shown(client):
    html = review_page(client, step_free_access=True, captions=True, accessibility_notes="Lift at the back door")
    assert "Step-free access" in html and "Captions" in html and "Lift at the back door" in html
    assert "Sign language interpretation" not in html


def test_no_accessibility_features_is_said_in_words(client):
    assert "No accessibility features given" in review_page(client)


def test_the_registration_window_is_shown_in_the_events_zone(client):
    html = review_page(client, registration_opens=datetime(2031, 5, 1, 8, 0, tzinfo=UTC),
                       registration_closes=datetime(2031, 5, 20, 20, 0, tzinfo=UTC))
    assert "Registration window" in html
    assert "1 May 2031, 10:00" in html or "1 May 2031 10:00" in html  # 08:00 UTC is 10:00 in Paris
    assert "20 May 2031" in html and "22:00" in html


def test_an_open_window_says_so(client):
    html = review_page(client)
    assert "open from publication" in html and "closes when the event starts" in html


# The error summary -----------------------------------------------------------------------------


def submitted_event():
    return factories.event(factories.organisation("FR"), status=S.SUBMITTED)


def summary_of(html):
    main_start = html.index('id="main"') if 'id="main"' in html else 0
    start = html.index('class="help-block help-critical eyos-error-summary"')
    assert start > main_start
    assert start < html.index("decision-heading")  # above the forms, at the top of the content
    end = html.index("</div>", start)
    return html[html.rindex("<div", 0, start):end]


def test_sending_back_without_a_comment_shows_an_error_summary_at_the_top(client, users):
    event = submitted_event()
    client.force_login(users["coordinator-fr"])
    response = client.post(f"/admin/coordinators/events/{event.uid}/request-changes/", {"comment": ""})
    assert response.status_code == 400 and response.context["changes_form"].errors["comment"]
    summary = summary_of(page(response))
    assert 'role="alert"' in summary and 'tabindex="-1"' in summary
    assert 'href="#id_comment"' in summary and "What should the organiser change?" in summary
    assert 'id="id_comment"' in page(response)  # the link leads to the field
    assert Event.objects.get(pk=event.pk).status == S.SUBMITTED


def test_rejecting_without_a_reason_shows_an_error_summary_at_the_top(client, users):
    event = submitted_event()
    client.force_login(users["coordinator-fr"])
    response = client.post(f"/admin/coordinators/events/{event.uid}/reject/", {"note": "x"})
    assert response.status_code == 400 and response.context["reject_form"].errors["reason"]
    html = page(response)
    summary = summary_of(html)
    assert 'role="alert"' in summary and 'href="#id_reason_0"' in summary and "Reason" in summary
    assert 'id="id_reason_0"' in html


def test_the_review_page_has_no_summary_without_errors(client, users):
    event = submitted_event()
    client.force_login(users["coordinator-fr"])
    assert "eyos-error-summary" not in page(client.get(f"/admin/coordinators/events/{event.uid}/"))
