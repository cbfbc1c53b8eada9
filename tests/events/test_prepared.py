"""The public event page's query compiled once per process (events/prepared.py): the same
statement Django compiles for each uid, the same objects, one query, nothing compiled again."""

import threading
import uuid

import pytest
from django.db import connection, connections
from django.db.models.sql.compiler import SQLCompiler
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from events import selectors
from events.models import Event, Registration
from events.prepared import Prepared
from tests import factories

pytestmark = pytest.mark.django_db


def plain(uid):
    """What Django gives for the same query, built and compiled as usual."""
    return list(selectors._event_detail_query(selectors.published_events()).filter(uid=uid)[:1])


def described(event):
    fields = {f.attname: getattr(event, f.attname) for f in Event._meta.concrete_fields}
    source = getattr(event, "feed_source", None)  # a reverse one-to-one: absent raises
    feed = source.feed.name if source else None
    return fields, event.places_taken, event.organisation.name, event.organisation.pk, feed


@pytest.fixture
def events():
    org = factories.organisation("FR", name="Prepared org")
    full = factories.published_event(org, capacity=3, title="With places taken")
    for n in range(2):
        Registration.objects.create(event=full, email=f"p{n}@example.org", name="P", consent_at=timezone.now(),
                                    status=Registration.Status.CONFIRMED)
    Registration.objects.create(event=full, email="w@example.org", name="W", consent_at=timezone.now(),
                                status=Registration.Status.WAITLISTED)
    cancelled = factories.published_event(org, title="Called off")
    cancelled.status = Event.Status.CANCELLED
    cancelled.save()
    draft = factories.event(org, title="Not public")
    return {"full": full, "cancelled": cancelled, "draft": draft, "open": factories.published_event(org)}


def test_each_uid_gets_what_django_gives_for_it(events):
    for name in ("full", "cancelled", "open"):
        uid = events[name].uid
        (expected,) = plain(uid)
        got = selectors.event_detail(uid)
        assert described(got) == described(expected), name
    assert selectors.event_detail(events["full"].uid).places_taken == 2
    for uid in (events["draft"].uid, uuid.uuid4()):  # not public, or no such event
        with pytest.raises(Event.DoesNotExist):
            selectors.event_detail(uid)


def test_the_statement_is_the_one_django_compiles_and_nothing_is_compiled_again(events, monkeypatch,
                                                                              django_assert_num_queries):
    selectors.event_detail(events["open"].uid)  # compiled (at most) here
    compiled = []
    original = SQLCompiler.as_sql

    def counting(self, *args, **kwargs):
        compiled.append(self)
        return original(self, *args, **kwargs)

    monkeypatch.setattr(SQLCompiler, "as_sql", counting)
    for name in ("full", "cancelled"):
        uid = events[name].uid
        with django_assert_num_queries(1), CaptureQueriesContext(connection) as prepared:
            selectors.event_detail(uid)
        assert compiled == []
        with CaptureQueriesContext(connection) as django:
            plain(uid)
        assert compiled  # (the control: Django's own way compiles)
        compiled.clear()
        assert [q["sql"] for q in prepared.captured_queries] == [q["sql"] for q in django.captured_queries]
        assert str(uid).replace("-", "") in prepared.captured_queries[0]["sql"].replace("-", "")


def test_a_build_that_does_not_filter_by_the_field_is_refused(events):
    from events.models import Organisation

    prepared = Prepared(Event, "uid", lambda uid: Event.objects.filter(title="x")[:1])
    with pytest.raises(ValueError, match="not a parameter"):
        prepared(events["open"].uid)
    with pytest.raises(ValueError, match="not Event"):
        Prepared(Event, "uid", lambda uid: Organisation.objects.all())(events["open"].uid)


@pytest.mark.pg
def test_another_thread_runs_it_on_its_own_connection(events):
    """Compiled in this thread, run in another (the live server's threads, a threaded server):
    the statement goes through that thread's connection, not the one that compiled it."""
    selectors.event_detail(events["open"].uid)
    outcome = []

    def other_thread():
        try:
            # This test's rows are in its open transaction: invisible from another connection.
            selectors.event_detail(events["open"].uid)
        except Event.DoesNotExist:
            outcome.append("not found, on its own connection")
        except Exception as error:  # noqa: BLE001 - the failure this test is about
            outcome.append(repr(error))
        finally:
            connections.close_all()

    thread = threading.Thread(target=other_thread)
    thread.start()
    thread.join()
    assert outcome == ["not found, on its own connection"]
