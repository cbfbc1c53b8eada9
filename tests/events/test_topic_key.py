"""Event.topic_key, the copy of an event's topic ids the list's facet counts group on, follows
every change to the links, from either side."""

import pytest

from events.models import Event, Topic, refresh_topic_keys, topic_key

from .. import factories

pytestmark = pytest.mark.django_db


def key_of(event):
    return Event.objects.values_list("topic_key", flat=True).get(pk=event.pk)


def expected(event):
    return topic_key(Event.topics.through.objects.filter(event_id=event.pk).values_list("topic_id", flat=True))


def test_every_kind_of_link_change_updates_the_key():
    org = factories.organisation("FR")
    one, two = factories.event(org), factories.event(org)
    a, b, c = Topic.objects.all()[:3]
    one.topics.set([c, a])
    assert key_of(one) == topic_key([a.pk, c.pk]) == expected(one) and "," in key_of(one)
    one.topics.remove(c)
    assert key_of(one) == str(a.pk)
    b.events.add(one, two)  # the reverse side
    assert (key_of(one), key_of(two)) == (topic_key([a.pk, b.pk]), str(b.pk))
    b.events.remove(two)
    assert key_of(two) == ""
    a.events.clear()  # the reverse side's clear: only its events change
    assert key_of(one) == str(b.pk)
    one.topics.clear()
    assert key_of(one) == ""


def test_refresh_mends_a_key_written_behind_its_back():
    org = factories.organisation("FR")
    event = factories.event(org)
    event.topics.set(Topic.objects.all()[:2])
    Event.objects.filter(pk=event.pk).update(topic_key="999")
    refresh_topic_keys([event.pk])
    assert key_of(event) == expected(event)


def test_deleting_a_topic_updates_its_events_keys():
    org = factories.organisation("FR")
    one, two, other = factories.event(org), factories.event(org), factories.event(org)
    a, b = Topic.objects.create(name="Gone", slug="gone"), Topic.objects.all()[0]
    one.topics.set([a, b])
    two.topics.set([a])
    other.topics.set([b])
    a.delete()
    assert (key_of(one), key_of(two), key_of(other)) == (str(b.pk), "", str(b.pk))
