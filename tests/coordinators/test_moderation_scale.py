"""Moderation at scale: verified organisations publish directly (spot check), several events in
one POST, approve and next, queue sorts, spam score, reject and block."""

from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import PermissionDenied
from django.utils import timezone
from wagtail.models import ModelLogEntry

from coordinators import permissions
from events import services, spam
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db
S = Event.Status
QUEUE = "/admin/coordinators/"


def old_user(**extra):
    user = factories.user(**extra)
    user.date_joined = timezone.now() - timedelta(days=365)
    user.save(update_fields=["date_joined"])
    return user


def actions(event):
    return list(ModelLogEntry.objects.for_instance(event).order_by("pk").values_list("action", flat=True))


# Verified organisations -----------------------------------------------------------------------

def test_verified_organisation_publishes_directly_for_a_spot_check(django_capture_on_commit_callbacks):
    member = old_user()
    org = factories.organisation("FR", members=[member])
    org.verified = True
    org.save()
    coordinator = factories.coordinator("FR")
    event = factories.event(org, created_by=member)
    with django_capture_on_commit_callbacks(execute=True):
        event = services.event_submit(user=member, event=event)
    event.refresh_from_db()
    assert event.status == S.PUBLISHED and event.spot_check and event.submitted_at and event.decided_at
    assert actions(event) == ["eyos.event.submit", "eyos.event.publish"]
    assert [m.to for m in mail.outbox] == [[member.email]]  # the organisers' "published" mail
    queue = list(permissions.moderatable_events(coordinator).filter(pk=event.pk))
    assert queue
    from coordinators.selectors import moderation_queue

    assert event in list(moderation_queue(coordinator))
    services.event_spot_check(user=coordinator, event=event)
    event.refresh_from_db()
    assert event.status == S.PUBLISHED and not event.spot_check
    assert event not in list(moderation_queue(coordinator))
    assert actions(event)[-1] == "eyos.event.spot_check"


def test_spot_check_can_unpublish_by_requesting_changes():
    member = old_user()
    org = factories.organisation("FR", members=[member])
    org.verified = True
    org.save()
    event = services.event_submit(user=member, event=factories.event(org, created_by=member))
    event = services.event_request_changes(user=factories.coordinator("FR"), event=event, comment="Fix the date")
    assert event.status == S.CHANGES_REQUESTED and not event.spot_check


def test_unverified_organisation_still_waits():
    member = old_user()
    org = factories.organisation("FR", members=[member])
    event = services.event_submit(user=member, event=factories.event(org, created_by=member))
    assert event.status == S.SUBMITTED and not event.spot_check


def test_spot_check_refused_for_another_country_and_for_plain_published():
    org = factories.organisation("DE")
    event = factories.event(org, status=S.PUBLISHED, spot_check=True)
    with pytest.raises(PermissionDenied):
        services.event_spot_check(user=factories.coordinator("FR"), event=event)
    plain = factories.event(org, status=S.PUBLISHED)
    with pytest.raises(services.InvalidTransition):
        services.event_spot_check(user=factories.coordinator("DE"), event=plain)


# Bulk ------------------------------------------------------------------------------------------

@pytest.fixture
def mixed(client):
    coordinator = factories.coordinator("FR")
    fr = factories.organisation("FR", members=[old_user()])
    ok1, ok2 = factories.event(fr, status=S.SUBMITTED), factories.event(fr, status=S.SUBMITTED)
    wrong_state = factories.event(fr, status=S.DRAFT)
    foreign = factories.event(factories.organisation("DE"), status=S.SUBMITTED)
    client.force_login(coordinator)
    return {"client": client, "ok": [ok1, ok2], "wrong_state": wrong_state, "foreign": foreign}


def _post(mixed, **data):
    uids = [str(e.uid) for e in mixed["ok"] + [mixed["wrong_state"], mixed["foreign"]]]
    return mixed["client"].post(QUEUE + "bulk/", {"uid": uids, "sort": "spam", **data}, follow=True)


def _report(response):
    return [str(m) for m in response.context["messages"]]


@pytest.mark.parametrize("action, extra, status", [
    ("approve", {}, S.PUBLISHED),
    ("reject", {"reason": "commercial", "note": "Ads"}, S.REJECTED),
    ("request_changes", {"comment": "Add a programme"}, S.CHANGES_REQUESTED),
])
def test_bulk_applies_each_and_reports_the_rest(mixed, django_capture_on_commit_callbacks, action, extra, status):
    with django_capture_on_commit_callbacks(execute=True):
        response = _post(mixed, action=action, **extra)
    assert response.redirect_chain[-1][0] == QUEUE + "?sort=spam"
    for event in mixed["ok"]:
        event.refresh_from_db()
        assert event.status == status
        assert actions(event)[-1] == f"eyos.event.{action}"
    assert len(mail.outbox) == 2  # one mail per event, as one by one
    for key, status_before in (("wrong_state", S.DRAFT), ("foreign", S.SUBMITTED)):
        before = mixed[key]
        before.refresh_from_db()
        assert before.status == status_before and not actions(before)
    report = _report(response)
    assert sum("done" in line for line in report) == 2
    assert sum("skipped" in line for line in report) == 2
    assert mixed["foreign"].title not in " ".join(report)  # another country's event is not named


def test_bulk_without_comment_or_reason_changes_nothing(mixed):
    for action in ("request_changes", "reject"):
        _post(mixed, action=action)
    for event in mixed["ok"]:
        event.refresh_from_db()
        assert event.status == S.SUBMITTED


def test_bulk_ignores_garbage_uids(mixed):
    response = mixed["client"].post(QUEUE + "bulk/", {"uid": ["nope", str(mixed["ok"][0].uid)], "action": "approve"},
                                    follow=True)
    mixed["ok"][0].refresh_from_db()
    assert mixed["ok"][0].status == S.PUBLISHED
    assert any("skipped" in line for line in _report(response))


# Approve and next ------------------------------------------------------------------------------

def test_approve_and_next_follows_the_queue_order(client):
    coordinator = factories.coordinator("FR")
    org = factories.organisation("FR")
    a, b, c = (factories.event(org, status=S.SUBMITTED, title=f"Next {n}") for n in "abc")
    for score, event in zip((1, 9, 5), (a, b, c)):
        Event.objects.filter(pk=event.pk).update(spam_score=score)
    client.force_login(coordinator)
    response = client.post(f"{QUEUE}events/{b.uid}/approve-next/?sort=spam&q=Next")
    assert response.status_code == 302 and response["Location"] == f"{QUEUE}events/{c.uid}/?sort=spam&q=Next"
    b.refresh_from_db()
    assert b.status == S.PUBLISHED
    response = client.post(f"{QUEUE}events/{a.uid}/approve-next/?sort=spam&q=Next")
    assert response["Location"] == f"{QUEUE}?q=Next&sort=spam"  # the last one: back to the queue


# Sort and query count --------------------------------------------------------------------------

@pytest.mark.parametrize("sort, expected", [
    ("", ["a", "b", "c"]), ("oldest", ["a", "b", "c"]), ("newest", ["c", "b", "a"]),
    ("spam", ["b", "c", "a"]), ("country", ["c", "a", "b"]),
])
def test_queue_sorts(client, sort, expected):
    eu = factories.user(is_superuser=True, is_staff=True)
    now = timezone.now()
    made = {}
    for name, country, age, score in (("a", "FR", 3, 1), ("b", "FR", 2, 9), ("c", "DE", 1, 5)):
        event = factories.event(factories.organisation(country), status=S.SUBMITTED, title=f"Sort {name}")
        Event.objects.filter(pk=event.pk).update(submitted_at=now - timedelta(days=age), spam_score=score)
        made[event.pk] = name
    client.force_login(eu)
    response = client.get(QUEUE, {"sort": sort, "q": "Sort "})
    assert [made[e.pk] for e in response.context["page"].object_list] == expected


def test_queue_query_count_with_sort(client, django_assert_num_queries):
    coordinator = factories.coordinator("MT")
    org = factories.organisation("MT")
    for _ in range(30):
        factories.event(org, status=S.SUBMITTED, spam_score=3, spam_reasons=["links"])
    client.force_login(coordinator)
    client.get(QUEUE + "?sort=spam")
    with django_assert_num_queries(QUEUE_QUERIES):
        response = client.get(QUEUE + "?sort=spam&country=MT")
    assert len(response.context["page"].object_list) == 30
    assert b"many links in the text" in response.content


# Measured: session, user, count, page, admin chrome; the same with 1 or 30 events, whatever the
# sort. The coordinator's countries and permission names come from the people cache after the
# first request (tests/eyos/test_cached_rights.py): 3 fewer than before.
QUEUE_QUERIES = 9


# Spam score ------------------------------------------------------------------------------------

def test_spam_score_signals(settings):
    settings.EYOS_SPAM_DOMAINS = ["spam.example"]
    member = old_user()
    org = factories.organisation("FR", members=[member])
    clean = factories.event(org, created_by=member)
    assert spam.score(clean, member) == (0, [])
    links = factories.event(org, created_by=member, description="<p>http://a.eu http://b.eu www.c.eu</p>")
    assert spam.score(links, member) == (2, ["links"])
    other = factories.organisation("FR")
    factories.event(other, title="Free crypto course", summary="Earn money")
    repeated = factories.event(org, created_by=member, title="free crypto course", summary="Learn")
    assert spam.score(repeated, member)[1] == ["repeated"]
    same_org = factories.event(org, created_by=member, title="Another course", summary="Learn")
    assert spam.score(same_org, member)[1] == []
    newcomer = factories.user()
    assert spam.score(factories.event(org, created_by=newcomer), newcomer)[1] == ["new_account"]
    bad = factories.event(org, created_by=member, format="online", online_url="https://live.spam.example/x")
    assert spam.score(bad, member) == (5, ["bad_domain"])


def test_spam_score_stored_on_submit_and_recomputed_on_update():
    member = factories.user()  # new account
    org = factories.organisation("FR", members=[member])
    event = services.event_submit(user=member, event=factories.event(org, created_by=member))
    event.refresh_from_db()
    assert event.spam_score == 1 and event.spam_reasons == ["new_account"]
    coordinator = factories.coordinator("FR")
    services.event_update(user=coordinator, event=event,
                          data={"summary": "See http://a.eu http://b.eu http://c.eu"})
    event.refresh_from_db()
    assert event.spam_score == 3 and event.spam_reasons == ["links", "new_account"]


def test_review_page_shows_score_and_reasons(client):
    coordinator = factories.coordinator("FR")
    event = factories.event(factories.organisation("FR"), status=S.SUBMITTED, spam_score=2, spam_reasons=["links"])
    client.force_login(coordinator)
    response = client.get(f"{QUEUE}events/{event.uid}/")
    assert b"many links in the text" in response.content and b"Approve and next" in response.content


# Reject and block ------------------------------------------------------------------------------

def test_reject_and_block(client):
    spammer = factories.user()
    org = factories.organisation("FR", members=[spammer])
    event = factories.event(org, status=S.SUBMITTED, created_by=spammer)
    client.force_login(factories.coordinator("FR"))
    response = client.post(f"{QUEUE}events/{event.uid}/reject-and-block/", {"note": "Spam"})
    assert response.status_code == 302
    event.refresh_from_db()
    spammer.refresh_from_db()
    assert event.status == S.REJECTED and event.rejection_reason == "spam"
    assert not spammer.is_active
    assert actions(event)[-2:] == ["eyos.event.reject", "eyos.event.block_submitter"]


@pytest.mark.parametrize("who", ["staff", "coordinator", "superuser"])
def test_never_blocks_staff_or_coordinators(who):
    submitter = {
        "staff": lambda: factories.user(is_staff=True),
        "coordinator": lambda: factories.coordinator("DE"),
        "superuser": lambda: factories.user(is_superuser=True),
    }[who]()
    event = factories.event(factories.organisation("FR", members=[submitter]), status=S.SUBMITTED,
                            created_by=submitter)
    with pytest.raises(PermissionDenied):
        services.event_reject_and_block(user=factories.coordinator("FR"), event=event)
    event.refresh_from_db()
    submitter.refresh_from_db()
    assert event.status == S.SUBMITTED and submitter.is_active and not actions(event)


def test_block_refused_for_another_country(client):
    spammer = factories.user()
    event = factories.event(factories.organisation("DE", members=[spammer]), status=S.SUBMITTED, created_by=spammer)
    with pytest.raises(PermissionDenied):
        services.event_reject_and_block(user=factories.coordinator("FR"), event=event)
    client.force_login(factories.coordinator("FR"))
    assert client.post(f"{QUEUE}events/{event.uid}/reject-and-block/").status_code == 404
    spammer.refresh_from_db()
    assert spammer.is_active


def test_queue_lists_spot_checks_and_the_review_page_clears_them(client):
    coordinator = factories.coordinator("FR")
    event = factories.event(factories.organisation("FR"), status=S.PUBLISHED, spot_check=True,
                            submitted_at=timezone.now(), title="Verified fair")
    client.force_login(coordinator)
    response = client.get(QUEUE, {"q": "Verified fair"})
    assert [e.pk for e in response.context["page"].object_list] == [event.pk]
    assert "Published directly — spot check" in response.content.decode()
    review = client.get(f"{QUEUE}events/{event.uid}/").content.decode()
    assert "Mark as checked" in review and "Approve and next" not in review
    assert client.post(f"{QUEUE}events/{event.uid}/spot-check/").status_code == 302
    event.refresh_from_db()
    assert event.status == S.PUBLISHED and not event.spot_check
    assert not client.get(QUEUE, {"q": "Verified fair"}).context["page"].object_list
