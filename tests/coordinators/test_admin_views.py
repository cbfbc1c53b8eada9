"""The coordinators' back office under /admin/coordinators/: queue, review with decisions,
duplicates and history, direct publishing, homepage panel, menu, escalation, query budgets."""

import zoneinfo
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db
S = Event.Status


@pytest.fixture
def fr(db):
    member = factories.user(language="fr")
    return {"coordinator": factories.coordinator("FR"), "org": factories.organisation("FR", members=[member]),
            "member": member}


def submitted(org, days_ago, **fields):
    event = factories.event(org, status=S.SUBMITTED, **fields)
    Event.objects.filter(pk=event.pk).update(submitted_at=timezone.now() - timedelta(days=days_ago, hours=1))
    event.refresh_from_db()
    return event


def test_queue_lists_own_countries_oldest_first_with_age(client, fr):
    newer = submitted(fr["org"], 1, title="Newer event")
    older = submitted(fr["org"], 9, title="Older event")
    german = submitted(factories.organisation("DE"), 20, title="German event")
    client.force_login(fr["coordinator"])
    response = client.get("/admin/coordinators/")
    events = list(response.context["page"].object_list)
    assert german not in events
    assert events.index(older) < events.index(newer)
    html = response.content.decode()
    assert "9 days" in " ".join(html.split()) and "German event" not in html


def test_queue_filters(client, fr):
    lyon = submitted(fr["org"], 2, title="Atelier Zébulon")
    old = submitted(fr["org"], 8, title="Forum Zéphyr")
    client.force_login(fr["coordinator"])
    assert list(client.get("/admin/coordinators/?q=zébulon").context["page"].object_list) == [lyon]
    assert list(client.get("/admin/coordinators/?older_than=7&q=z").context["page"].object_list) == [old]
    # A country the coordinator does not hold is ignored, not obeyed.
    events = client.get("/admin/coordinators/?country=DE").context["page"].object_list
    assert {event.country.code for event in events} == {"FR"}
    assert client.get("/admin/coordinators/?older_than=abc&page=999").status_code == 200


def test_eu_team_sees_every_country_with_escalations(client, fr, users, settings):
    settings.EYOS_ESCALATION_DAYS = 5
    fresh_fr = submitted(fr["org"], 1)
    stale_fr = submitted(fr["org"], 6)
    uncovered = submitted(factories.organisation("IS"), 0)  # Iceland has no coordinator
    client.force_login(users["admin"])
    events = {event.pk: event for event in client.get("/admin/coordinators/").context["page"].object_list}
    assert not events[fresh_fr.pk].escalated
    assert events[stale_fr.pk].escalated and events[uncovered.pk].escalated
    escalated = client.get("/admin/coordinators/?escalated=1").context["page"].object_list
    assert fresh_fr not in escalated and {stale_fr, uncovered} <= set(escalated)


def test_approve_from_the_review_page(client, fr, django_capture_on_commit_callbacks):
    event = submitted(fr["org"], 1)
    client.force_login(fr["coordinator"])
    assert client.get(f"/admin/coordinators/events/{event.uid}/").status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/admin/coordinators/events/{event.uid}/approve/")
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.status == S.PUBLISHED and event.decided_by == fr["coordinator"]
    assert mail.outbox[-1].to == [fr["member"].email]
    history = client.get(f"/admin/coordinators/events/{event.uid}/").content.decode()
    assert "Event approved" in history and fr["coordinator"].email in history


def test_request_changes_needs_a_comment(client, fr):
    event = submitted(fr["org"], 1)
    client.force_login(fr["coordinator"])
    response = client.post(f"/admin/coordinators/events/{event.uid}/request-changes/", {"comment": "  "})
    assert response.status_code == 400 and response.context["changes_form"].errors["comment"]
    assert Event.objects.get(pk=event.pk).status == S.SUBMITTED
    client.post(f"/admin/coordinators/events/{event.uid}/request-changes/", {"comment": "Ajoutez le programme."})
    event.refresh_from_db()
    assert event.status == S.CHANGES_REQUESTED and event.moderation_comment == "Ajoutez le programme."
    assert "Ajoutez le programme." in client.get(f"/admin/coordinators/events/{event.uid}/").content.decode()


def test_reject_needs_a_standard_reason(client, fr):
    event = submitted(fr["org"], 1)
    client.force_login(fr["coordinator"])
    for data in ({}, {"reason": "because"}):
        response = client.post(f"/admin/coordinators/events/{event.uid}/reject/", data)
        assert response.status_code == 400 and response.context["reject_form"].errors["reason"]
    assert Event.objects.get(pk=event.pk).status == S.SUBMITTED
    client.post(f"/admin/coordinators/events/{event.uid}/reject/", {"reason": "commercial", "note": "Vente."})
    event.refresh_from_db()
    assert (event.status, event.rejection_reason, event.moderation_comment) == (S.REJECTED, "commercial", "Vente.")


def test_deciding_twice_gives_a_clear_message(client, fr):
    event = submitted(fr["org"], 1)
    client.force_login(fr["coordinator"])
    client.post(f"/admin/coordinators/events/{event.uid}/approve/")
    response = client.post(f"/admin/coordinators/events/{event.uid}/reject/", {"reason": "other"}, follow=True)
    assert "cannot be" in response.content.decode()
    assert Event.objects.get(pk=event.pk).status == S.PUBLISHED


def test_possible_duplicates(client, fr):
    # 10:00 in Paris, so the event three hours later is on the same local day at any time of day.
    paris = zoneinfo.ZoneInfo("Europe/Paris")
    start = (timezone.now().astimezone(paris) + timedelta(days=20)).replace(hour=10, minute=0, second=0, microsecond=0)
    event = submitted(fr["org"], 1, title="Atelier numérique à Lyon", start=start, end=start + timedelta(hours=2),
                      online_url="https://www.Meet.example.org/room/?utm_source=mail", format="hybrid")
    same_org_day = factories.event(fr["org"], title="Something else", start=start + timedelta(hours=3),
                                   end=start + timedelta(hours=4))
    other_org = factories.organisation("FR")
    same_url = factories.event(other_org, title="Unrelated", days=60, format="online",
                               online_url="https://meet.example.org/room")
    similar_title = factories.event(other_org, title="Atelier numerique a Lyon!", start=start, end=start + timedelta(hours=1))
    unrelated = factories.event(other_org, title="Atelier numérique à Lyon", days=90)
    german_copy = factories.event(factories.organisation("DE"), title="Atelier numérique à Lyon", start=start,
                                  end=start + timedelta(hours=1))
    client.force_login(fr["coordinator"])
    duplicates = {d.event.pk: d.reasons for d in client.get(f"/admin/coordinators/events/{event.uid}/").context["duplicates"]}
    assert duplicates.get(same_org_day.pk) == ("organisation",)
    assert duplicates.get(same_url.pk) == ("url",)
    assert duplicates.get(similar_title.pk) == ("title",)
    assert unrelated.pk not in duplicates
    assert german_copy.pk not in duplicates  # another country's event is never shown


def test_coordinator_creates_published_events_and_edits_them(client, fr):
    client.force_login(fr["coordinator"])
    start = (timezone.now() + timedelta(days=15)).strftime("%Y-%m-%d")
    data = {
        "country": "FR", "organisation": fr["org"].pk, "title": "Salon de l'emploi", "summary": "Rencontres.",
        "language": "fr", "target_audience": "jobseekers", "format": "onsite", "address": "Place Bellecour",
        "city": "Lyon", "start": f"{start}T09:00", "end": f"{start}T17:00", "timezone": "Europe/Paris",
        "registration_mode": "none",
    }
    response = client.post("/admin/coordinators/events/new/", data)
    event = Event.objects.get(title="Salon de l'emploi")
    assert response.status_code == 302 and event.status == S.PUBLISHED
    assert "eyos.event.publish" in ModelLogEntry.objects.for_instance(event).values_list("action", flat=True)

    data.pop("country"), data.pop("organisation")
    data.update(start=f"{start}T10:00")
    client.post(f"/admin/coordinators/events/{event.uid}/edit/", data)
    edited = Event.objects.get(pk=event.pk)
    assert edited.sequence == event.sequence + 1
    assert "wagtail.edit" in ModelLogEntry.objects.for_instance(event).values_list("action", flat=True)


def test_coordinator_cannot_create_for_another_country(client, fr):
    german = factories.organisation("DE")
    client.force_login(fr["coordinator"])
    before = Event.objects.count()
    start = (timezone.now() + timedelta(days=15)).strftime("%Y-%m-%d")
    response = client.post("/admin/coordinators/events/new/", {
        "country": "DE", "organisation": german.pk, "title": "Fremd", "summary": "x", "language": "de",
        "target_audience": "everyone", "format": "online", "online_url": "https://example.org/",
        "start": f"{start}T09:00", "end": f"{start}T10:00", "timezone": "Europe/Berlin", "registration_mode": "none",
    })
    assert response.status_code == 400
    assert {"country", "organisation"} <= set(response.context["form"].errors)
    assert Event.objects.count() == before


def test_homepage_panel_and_menu(client, fr, users):
    submitted(fr["org"], 3)
    client.force_login(fr["coordinator"])
    html = client.get("/admin/").content.decode()
    waiting = Event.objects.filter(country="FR", status=S.SUBMITTED).count()
    assert f"{waiting} events wait for you" in html
    assert "Events to review" in html  # menu entry
    client.force_login(users["admin"])
    assert "escalated" in client.get("/admin/").content.decode()


def test_the_panel_counts_only_own_countries(client, db):
    person = factories.coordinator("LU")
    lux = factories.organisation("LU")
    submitted(lux, 2)
    client.force_login(person)
    assert "1 event waits for you, oldest 2 days" in " ".join(client.get("/admin/").content.decode().split())


def test_menu_is_hidden_from_editors_who_are_not_coordinators(client, db):
    from django.contrib.auth.models import Permission

    editor = factories.user(is_staff=True)
    editor.user_permissions.add(Permission.objects.get(codename="access_admin"))
    client.force_login(editor)
    html = client.get("/admin/").content.decode()
    assert "Events to review" not in html
    # Wagtail turns the refusal into a redirect to the dashboard with a message.
    response = client.get("/admin/coordinators/")
    assert response.status_code in (302, 403) and "/coordinators/" not in response.get("Location", "")


@pytest.mark.parametrize("url", ["/admin/coordinators/", "/admin/coordinators/events/"])
def test_list_query_count_does_not_grow_with_events(client, django_assert_num_queries, url):
    coordinator = factories.coordinator("MT")
    org = factories.organisation("MT")

    def count():
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        with CaptureQueriesContext(connection) as queries:
            assert client.get(url + "?country=MT").status_code == 200
        return len(queries)

    client.force_login(coordinator)
    client.get(url)  # warm per-process caches (content types, site root)
    for _ in range(5):
        submitted(org, 1)
    with_five = count()
    for _ in range(45):
        submitted(org, 1)
    assert len(client.get(url + "?country=MT").context["page"].object_list) == 50
    with django_assert_num_queries(with_five):
        client.get(url + "?country=MT")


def test_review_query_count_does_not_grow_with_events(client, django_assert_num_queries):
    coordinator = factories.coordinator("CY")
    org = factories.organisation("CY")
    start = timezone.now().replace(microsecond=0) + timedelta(days=20)
    event = submitted(org, 1, start=start, end=start + timedelta(hours=1), title="Open day")
    client.force_login(coordinator)
    url = f"/admin/coordinators/events/{event.uid}/"
    client.get(url)

    def add(n):
        for _ in range(n):
            factories.event(org, title="Open day", start=start, end=start + timedelta(hours=1), status=S.SUBMITTED)

    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    add(5)
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    add(45)
    with django_assert_num_queries(len(queries)):
        response = client.get(url)
    assert len(response.context["duplicates"]) == 10  # capped list, all of the same day and title


def test_registration_exports_cover_own_countries_only(client, fr):
    from events import services

    french = factories.published_event(fr["org"], title="Atelier export")
    german = factories.published_event(factories.organisation("DE"), title="Export Werkstatt")
    services.registration_create(event=french, name="=HYPERLINK(\"http://evil\")", email="fr@example.org",
                                 consent=True, language="fr")
    services.registration_create(event=german, name="Hans", email="de@example.org", consent=True, language="de")
    client.force_login(fr["coordinator"])
    body = b"".join(client.get("/admin/coordinators/registrations.csv").streaming_content).decode()
    assert "fr@example.org" in body and "de@example.org" not in body
    assert "'=HYPERLINK" in body  # spreadsheet formulas are neutralised
    assert client.get("/admin/coordinators/registrations.csv?country=DE").status_code == 404
    one = b"".join(client.get(f"/admin/coordinators/events/{french.uid}/registrants.csv").streaming_content).decode()
    assert "fr@example.org" in one


def test_organisers_see_and_export_their_registrants(client, fr):
    from events import services

    event = factories.published_event(fr["org"], capacity=1)
    for n in range(2):
        services.registration_confirm(registration=services.registration_create(
            event=event, name=f"Person {n}", email=f"p{n}@example.org", consent=True, language="fr"))
    client.force_login(fr["member"])
    page = client.get(f"/en/organise/events/{event.uid}/registrants/").content.decode()
    assert "Person 0" in page and "Person 1" in page and "On the waiting list" in page
    csv_body = b"".join(client.get(f"/en/organise/events/{event.uid}/registrants.csv").streaming_content).decode()
    assert csv_body.count("@example.org") == 2


def test_the_coordinators_screens_are_one_menu_group(rf, fr, users):
    """Wagtail's menu gets one "Coordination" group holding every coordinator screen (outcomes
    included), not seven top-level items; editors who coordinate nothing see no group."""
    from wagtail.admin.menu import admin_menu

    def top_level(user):
        request = rf.get("/admin/")
        request.user = user
        return {item.name: item for item in admin_menu.menu_items_for_request(request)}

    items = top_level(fr["coordinator"])
    group = items["coordination"]
    request = rf.get("/admin/")
    request.user = fr["coordinator"]
    inside = [item.name for item in group.menu.menu_items_for_request(request)]
    assert set(inside) == {"event-moderation", "country-events", "event-import", "country-dashboards",
                           "page-coverage", "partner-feeds", "event-outcomes"}
    assert not set(inside) & set(items)
    editor = factories.user(is_staff=True)
    assert "coordination" not in top_level(editor)
