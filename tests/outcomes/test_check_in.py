"""Check-in at the door: one click per registrant, all confirmed at once, walk-ins, the printable
list; organisers of another organisation and coordinators of another country are refused."""

from datetime import timedelta

import pytest
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events.models import Registration
from outcomes.models import Attendance
from tests import factories

pytestmark = pytest.mark.django_db
R = Registration.Status


def registration(event, name, status=R.CONFIRMED, language="fr"):
    now = timezone.now()
    return Registration.objects.create(event=event, name=name, email=f"{name.lower()}@example.org", status=status,
                                       language=language, consent_at=now, confirmed_at=now)


@pytest.fixture
def setup(db):
    organiser = factories.user("door@example.org")
    org = factories.organisation("FR", members=[organiser])
    event = factories.published_event(org, days=0)
    people = [registration(event, name) for name in ("Anna", "Bruno", "Chloé")]
    waiting = registration(event, "Dora", status=R.WAITLISTED)
    return organiser, event, people, waiting


def url(event, suffix=""):
    return f"/en/organise/events/{event.uid}/check-in/{suffix}"


def test_one_click_marks_and_a_second_undoes(client, setup):
    organiser, event, (anna, *_), _w = setup
    client.force_login(organiser)
    response = client.post(url(event, f"{anna.pk}/"))
    assert response.status_code == 302 and response["Location"].endswith(f"/check-in/#r{anna.pk}")
    assert Attendance.objects.get(registration=anna).marked_by == organiser
    client.post(url(event, f"{anna.pk}/"))  # marking twice changes nothing
    assert Attendance.objects.filter(event=event).count() == 1
    client.post(url(event, f"{anna.pk}/"), {"attended": "0"})
    assert not Attendance.objects.filter(event=event).exists()
    actions = list(ModelLogEntry.objects.filter(object_id=str(event.pk)).values_list("action", flat=True))
    assert actions.count("eyos.attendance.mark") == 1 and actions.count("eyos.attendance.unmark") == 1


def test_marking_needs_a_post_with_csrf(setup):
    from django.test import Client

    organiser, event, (anna, *_), _w = setup
    client = Client(enforce_csrf_checks=True)
    client.force_login(organiser)
    assert client.get(url(event, f"{anna.pk}/")).status_code == 405
    assert client.post(url(event, f"{anna.pk}/")).status_code == 403
    assert not Attendance.objects.exists()


def test_waiting_list_is_not_marked(client, setup):
    organiser, event, _p, waiting = setup
    client.force_login(organiser)
    client.post(url(event, f"{waiting.pk}/"))
    assert not Attendance.objects.exists()


def test_all_confirmed_attended(client, setup):
    organiser, event, (anna, *_), waiting = setup
    client.force_login(organiser)
    client.post(url(event, f"{anna.pk}/"))
    client.post(url(event, "all/"))
    marked = set(Attendance.objects.filter(event=event).values_list("registration__name", flat=True))
    assert marked == {"Anna", "Bruno", "Chloé"}
    assert ModelLogEntry.objects.get(object_id=str(event.pk), action="eyos.attendance.mark_all").data == {"count": 2}


def test_walk_in(client, setup):
    organiser, event, _p, _w = setup
    client.force_login(organiser)
    client.post(url(event, "walk-in/"), {"name": "  Emil ", "email": "Emil@Example.org", "language": "de"})
    walk_in = Attendance.objects.get(walk_in=True)
    assert (walk_in.name, walk_in.email, walk_in.language) == ("Emil", "emil@example.org", "de")
    client.post(url(event, "walk-in/"), {"name": "", "email": ""})
    assert Attendance.objects.filter(walk_in=True).count() == 1


def test_page_and_printable_list(client, setup, django_assert_num_queries):
    organiser, event, (anna, *_), _w = setup
    client.force_login(organiser)
    client.post(url(event, f"{anna.pk}/"))
    client.post(url(event, "walk-in/"), {"name": "Emil", "email": "", "language": "en"})
    client.get(url(event))  # shows (and so clears) the flash messages, warms the site's cache
    # session, user, event, registrants with their attendance, walk-ins, membership (the user's
    # countries and the user bar's permission names come from the people cache)
    with django_assert_num_queries(6):
        page = client.get(url(event))
    html = page.content.decode()
    assert page.status_code == 200 and "2 people attended" in html
    assert 'aria-pressed="true"' in html and "Emil" in html and "csrfmiddlewaretoken" in html
    with django_assert_num_queries(4):  # session, user, event, attendees
        printable = client.get(f"/en/organise/events/{event.uid}/attendees/")
    html = printable.content.decode()
    assert "Anna" in html and "Emil" in html and "Bruno" not in html and "outcomes.css" in html


def test_more_registrants_same_queries(client, setup, django_assert_num_queries):
    organiser, event, _p, _w = setup
    for n in range(20):
        Attendance.objects.create(event=event, registration=registration(event, f"P{n}"))
    client.force_login(organiser)
    client.get(url(event))
    with django_assert_num_queries(6):
        assert client.get(url(event)).status_code == 200


def test_other_organisation_and_other_country_refused(client, setup):
    _organiser, event, (anna, *_), _w = setup
    stranger = factories.user()
    factories.organisation("FR", members=[stranger])
    for person in (stranger, factories.coordinator("DE")):
        client.force_login(person)
        assert client.get(url(event)).status_code == 404
        assert client.post(url(event, f"{anna.pk}/")).status_code == 404
        assert client.post(url(event, "all/")).status_code == 404
        assert client.post(url(event, "walk-in/"), {"name": "X", "language": "en"}).status_code == 404
        assert client.get(f"/en/organise/events/{event.uid}/attendees/").status_code == 404
    assert not Attendance.objects.exists()


def test_coordinator_of_the_country_may_check_in(client, setup):
    _organiser, event, (anna, *_), _w = setup
    client.force_login(factories.coordinator("FR"))
    client.post(url(event, f"{anna.pk}/"))
    assert Attendance.objects.filter(registration=anna).exists()


def test_draft_event_has_no_check_in(client, setup):
    organiser, event, (anna, *_), _w = setup
    event.status = "draft"
    event.save()
    client.force_login(organiser)
    client.post(url(event, f"{anna.pk}/"))
    assert not Attendance.objects.exists()


def test_anonymisation_keeps_the_count_and_drops_the_person(client, setup):
    from events import services

    organiser, event, (anna, *_), _w = setup
    client.force_login(organiser)
    client.post(url(event, "all/"))
    client.post(url(event, "walk-in/"), {"name": "Emil", "email": "emil@example.org", "language": "en"})
    Registration.objects.filter(event=event).update(created_at=timezone.now() - timedelta(days=200))
    event.start -= timedelta(days=200)
    event.end -= timedelta(days=200)
    event.save()
    services.registrations_retention(days=90)
    from outcomes.services import walk_ins_retention

    assert walk_ins_retention(days=90) == 1
    assert Attendance.objects.filter(event=event).count() == 4
    assert all(a.holder_name == "" and a.holder_email == "" for a in Attendance.objects.filter(event=event))
