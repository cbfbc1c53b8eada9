"""Reading a partner feed into events: new events to the queue (or published for a trusted
source), updates by UID, cancellations, decisions that stand, bad items reported while good ones
land, a broken feed recorded without touching anything, one feed's failure never another's."""

from datetime import timedelta

import pytest
from django.utils import timezone

from events.models import Event
from partnerfeeds import services, tasks
from partnerfeeds.models import FeedEvent, PartnerFeed

from .conftest import make_feed

pytestmark = pytest.mark.django_db
S = Event.Status


def when(days, hour=10):
    return (timezone.now() + timedelta(days=days)).strftime(f"%Y%m%dT{hour:02d}0000")


def vevent(uid, title="Atelier code", days=20, location="Médiathèque, 3 rue Neuve, 69001 Lyon", extra=""):
    return (f"BEGIN:VEVENT\r\nUID:{uid}\r\nDTSTAMP:20261201T000000Z\r\n"
            f"DTSTART;TZID=Europe/Paris:{when(days, 10)}\r\nDTEND;TZID=Europe/Paris:{when(days, 12)}\r\n"
            f"SUMMARY:{title}\r\nDESCRIPTION:Apprendre à coder. Pour tous.\r\nLOCATION:{location.replace(',', chr(92) + ',')}\r\n"
            f"URL:https://plateforme.example.fr/e/{uid}\r\nCATEGORIES:digital-skills,unknown\r\n{extra}END:VEVENT\r\n")


def calendar(*events):
    return "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//plateforme//FR\r\n" + "".join(events) + "END:VCALENDAR\r\n"


def serve(feed_server, body, path="/feed.ics", **kwargs):
    feed_server.routes[path] = lambda handler: handler.reply(body, **kwargs)
    return feed_server.url(path)


def run(feed, capture=None):
    if capture is None:
        return services.feed_fetch(feed_id=feed.pk)
    with capture(execute=True):
        return services.feed_fetch(feed_id=feed.pk)


def test_new_events_of_a_reviewed_feed_go_to_the_queue_with_one_summary(
        feed_server, fr, topics, mailoutbox, django_capture_on_commit_callbacks):
    coordinator, organisation = fr
    feed = make_feed(coordinator, organisation, serve(feed_server, calendar(*[vevent(f"a{n}@p") for n in range(3)])))
    result = run(feed, django_capture_on_commit_callbacks)
    assert result.last_outcome == PartnerFeed.Outcome.OK and result.failures == 0
    assert {k: v for k, v in result.last_counts.items() if k != "problems"} == {
        "created": 3, "updated": 0, "unchanged": 0, "cancelled": 0, "invalid": 0, "skipped": 0}
    events = Event.objects.filter(organisation=organisation).order_by("pk")
    assert [event.status for event in events] == [S.SUBMITTED] * 3
    event = events[0]
    assert (event.title, event.city, event.postcode, event.address, event.venue) == (
        "Atelier code", "Lyon", "69001", "3 rue Neuve", "Médiathèque")
    assert event.summary == "Apprendre à coder." and "<p>Apprendre à coder. Pour tous.</p>" in event.description
    assert event.registration_mode == "external" and event.external_registration_url.endswith("/e/a0@p")
    assert event.timezone == "Europe/Paris" and timezone.localtime(event.start, event.tzinfo).hour == 10
    assert [t.slug for t in event.topics.all()] == ["digital-skills"]
    assert event.feed_source.feed == feed and event.feed_source.source_uid == "a0@p"
    # One summary email to France's coordinators for the three, none per event.
    assert len([m for m in mailoutbox if m.to == [coordinator.email]]) == 1


def test_a_trusted_feed_publishes_and_the_event_page_names_the_source(feed_server, fr, topics, client):
    coordinator, organisation = fr
    feed = make_feed(coordinator, organisation, serve(feed_server, calendar(vevent("t1@p"))),
                     trust=PartnerFeed.Trust.TRUSTED)
    run(feed)
    event = Event.objects.get(feed_source__source_uid="t1@p")
    assert event.status == S.PUBLISHED
    page = client.get(f"/en/events/{event.uid}/")
    assert page.status_code == 200 and "Imported from Plateforme nationale" in page.content.decode()


def test_unchanged_items_cost_no_write_and_changed_ones_update_the_same_event(
        feed_server, fr, topics, django_assert_num_queries):
    coordinator, organisation = fr
    body = {"v": calendar(vevent("u1@p"), vevent("u2@p", title="Deuxième"))}
    feed_server.routes["/feed.ics"] = lambda handler: handler.reply(body["v"])
    feed = make_feed(coordinator, organisation, feed_server.url("/feed.ics"), trust=PartnerFeed.Trust.TRUSTED)
    run(feed)
    first = Event.objects.get(feed_source__source_uid="u1@p")
    updated_at, sequence = first.updated_at, first.sequence
    # The feed (with owner and organisation), the default locale, its topics, the feed's links, one
    # update of last_seen, the record: whatever the number of items (the owner's countries come
    # from the people cache after the first run).
    with django_assert_num_queries(6):
        result = run(feed)
    assert result.last_counts["unchanged"] == 2 and result.last_counts["created"] == 0
    assert Event.objects.get(pk=first.pk).updated_at == updated_at

    body["v"] = calendar(vevent("u1@p", title="Atelier code (nouvelle date)", days=25), vevent("u2@p", title="Deuxième"))
    result = run(feed)
    assert (result.last_counts["updated"], result.last_counts["unchanged"]) == (1, 1)
    first.refresh_from_db()
    assert first.title == "Atelier code (nouvelle date)" and first.sequence == sequence + 1
    assert Event.objects.filter(organisation=organisation).count() == 2


def test_a_cancellation_in_the_feed_cancels_and_a_coordinators_rejection_stands(feed_server, fr, topics):
    coordinator, organisation = fr
    body = {"v": calendar(vevent("c1@p"), vevent("c2@p"))}
    feed_server.routes["/feed.ics"] = lambda handler: handler.reply(body["v"])
    feed = make_feed(coordinator, organisation, feed_server.url("/feed.ics"))
    run(feed)
    published, rejected = (Event.objects.get(feed_source__source_uid=uid) for uid in ("c1@p", "c2@p"))
    from events import services as event_services

    event_services.event_approve(user=coordinator, event=published)
    event_services.event_reject(user=coordinator, event=rejected, reason="commercial")
    body["v"] = calendar(vevent("c1@p", extra="STATUS:CANCELLED\r\n"), vevent("c2@p", title="Changed to get back in"),
                         vevent("c3@p", extra="STATUS:CANCELLED\r\n"))
    result = run(feed)
    counts = result.last_counts
    assert (counts["cancelled"], counts["skipped"], counts["created"]) == (1, 2, 0)
    published.refresh_from_db()
    rejected.refresh_from_db()
    assert published.status == S.CANCELLED and "Plateforme nationale" in published.cancellation_message
    assert rejected.status == S.REJECTED and rejected.title != "Changed to get back in"
    assert not FeedEvent.objects.filter(source_uid="c3@p").exists()


def test_bad_items_are_reported_and_the_good_ones_land(feed_server, fr, topics):
    coordinator, organisation = fr
    items = [vevent(f"g{n}@p") for n in range(20)]
    items[3] = vevent("bad-end@p").replace(f"DTEND;TZID=Europe/Paris:{when(20, 12)}", f"DTEND;TZID=Europe/Paris:{when(19, 12)}")
    items[7] = vevent("no-place@p", location="").replace("URL:https://plateforme.example.fr/e/no-place@p\r\n", "")
    items[11] = "BEGIN:VEVENT\r\nUID:no-start@p\r\nSUMMARY:Sans date\r\nEND:VEVENT\r\n"
    items[15] = vevent("no-title@p").replace("SUMMARY:Atelier code\r\n", "")
    feed = make_feed(coordinator, organisation, serve(feed_server, calendar(*items)))
    result = run(feed)
    counts = result.last_counts
    assert (counts["created"], counts["invalid"]) == (16, 4)
    assert sorted(uid for uid, _message in counts["problems"]) == ["bad-end@p", "no-place@p", "no-start@p", "no-title@p"]
    problems = dict(counts["problems"])
    assert "end" in problems["bad-end@p"].lower() and "start" in problems["no-start@p"].lower()
    assert Event.objects.filter(organisation=organisation).count() == 16


@pytest.mark.parametrize("body, content_type, message", [
    ("BEGIN:VCALENDAR\r\nBEGIN:VEVENT\r\nDTSTART:garbage\r\n", "text/calendar", "malformed"),
    ("<html>not a feed</html>", "text/html", "neither iCalendar"),
    ('{"results": [', "application/json", "malformed"),
    ('{"nothing": 1}', "application/json", "no list"),
    (b"\xff\xfe\x00\x00" * 10, "text/calendar", ""),
])
def test_a_feed_that_cannot_be_read_is_recorded_and_changes_nothing(feed_server, fr, body, content_type, message):
    coordinator, organisation = fr
    feed = make_feed(coordinator, organisation, serve(feed_server, body, content_type=content_type))
    result = run(feed)
    assert result.last_outcome == PartnerFeed.Outcome.FAILED and message in result.last_error
    assert result.failures == 1 and result.etag == ""
    assert not Event.objects.filter(organisation=organisation).exists()
    assert run(feed).failures == 2


def test_a_feed_answered_304_keeps_its_counts(feed_server, fr, topics):
    coordinator, organisation = fr

    def feed_view(handler):
        if handler.headers.get("If-None-Match") == '"1"':
            handler.send_response(304)
            handler.send_header("Content-Length", "0")
            handler.end_headers()
        else:
            handler.reply(calendar(vevent("e1@p")), headers={"ETag": '"1"'})

    feed_server.routes["/feed.ics"] = feed_view
    feed = make_feed(coordinator, organisation, feed_server.url("/feed.ics"))
    assert run(feed).etag == '"1"'
    result = run(feed)
    assert result.last_outcome == PartnerFeed.Outcome.NOT_MODIFIED and result.last_counts["created"] == 1


def test_a_feed_whose_coordinator_left_stops_with_a_reason(feed_server, fr, topics):
    coordinator, organisation = fr
    feed = make_feed(coordinator, organisation, serve(feed_server, calendar(vevent("l1@p"))))
    coordinator.coordinator_assignments.all().delete()
    result = run(feed)
    assert result.last_outcome == PartnerFeed.Outcome.FAILED and "no longer coordinates" in result.last_error
    assert feed_server.requests == [] and not Event.objects.filter(organisation=organisation).exists()


def test_one_broken_feed_does_not_stop_the_others(feed_server, fr, topics):
    coordinator, organisation = fr
    broken = make_feed(coordinator, organisation, serve(feed_server, "garbage", path="/broken", content_type="text/plain"))
    refused = make_feed(coordinator, organisation, "http://127.0.0.1:9/feed.ics")
    good = make_feed(coordinator, organisation, serve(feed_server, calendar(vevent("ok@p"))))
    make_feed(coordinator, organisation, serve(feed_server, calendar(vevent("paused@p")), path="/p"), active=False)
    assert tasks.enqueue_all() == 3  # the immediate backend runs each task at once
    outcomes = dict(PartnerFeed.objects.values_list("pk", "last_outcome"))
    assert (outcomes[broken.pk], outcomes[refused.pk], outcomes[good.pk]) == ("failed", "failed", "ok")
    assert list(FeedEvent.objects.values_list("source_uid", flat=True)) == ["ok@p"]


JSON_FEED = """{"results": [
  {"uid": "j1", "title": "Hackathon vert", "summary": "Deux jours pour le climat.", "description": "<p>Ouvert à tous</p><script>x()</script>",
   "language": "fr", "format": "hybrid", "online_url": "https://meet.example.fr/h", "venue": "Halle", "address": "1 quai Est",
   "city": "Nantes", "postcode": "44000", "start": "%(start)s", "end": "%(end)s", "timezone": "Europe/Paris",
   "topics": ["green-skills"], "audience": "students", "registration": {"mode": "platform", "url": "https://other.example/e/j1"},
   "accessibility": {"step_free_access": true, "notes": "Rampe"}, "status": "published"},
  {"id": "j2", "title": "Sans fin", "start": "%(start)s"}
], "next": null}"""


def test_a_json_feed_in_the_api_shape_of_another_eyos(feed_server, fr, topics):
    coordinator, organisation = fr
    start = timezone.now().replace(microsecond=0, second=0) + timedelta(days=30)
    body = JSON_FEED % {"start": start.isoformat(), "end": (start + timedelta(days=1)).isoformat()}
    feed = make_feed(coordinator, organisation, serve(feed_server, body, path="/api", content_type="application/json"))
    result = run(feed)
    assert (result.last_counts["created"], result.last_counts["invalid"]) == (1, 1)
    event = Event.objects.get(feed_source__source_uid="j1")
    assert (event.format, event.city, event.target_audience, event.step_free_access, event.accessibility_notes) == (
        "hybrid", "Nantes", "students", True, "Rampe")
    assert event.start == start and "<script>" not in event.description and "Ouvert à tous" in event.description
    assert event.external_registration_url == "https://other.example/e/j1"
    assert [t.slug for t in event.topics.all()] == ["green-skills"]
