"""Writes for partner feeds: registering a feed, and reading one into events.

A fetch creates and updates events through events.services on behalf of the coordinator who
registered the feed (the same permission checks, audit log, SEQUENCE and emails as by hand). New
events of a feed under review go to the queue (one summary email per country); a trusted feed's
are published. An event a coordinator rejected or cancelled is never touched by its feed again.
Each item is written in its own savepoint: a bad item is reported and skipped, the others land;
a feed that cannot be read at all changes nothing and records why."""

import logging

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DataError, IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from wagtail.log_actions import log
from wagtail.models import Locale

from coordinators import permissions
from events import imports
from events import services as event_services
from events.models import Event, Topic

from . import fetch as fetching
from . import parse
from .models import FeedEvent, PartnerFeed

logger = logging.getLogger(__name__)

PROBLEMS_KEPT = 20
ITEM_ERRORS = (ValidationError, PermissionDenied, event_services.InvalidTransition, ValueError, TypeError,
               DataError, IntegrityError)
Status = Event.Status


class FeedInvalid(Exception):
    """The feed's settings are not allowed for this coordinator; the message is for them."""


def _check_settings(user, feed):
    permissions.require(permissions.can_manage_feed(user, feed))
    if feed.organisation.country.code != feed.country.code:
        raise FeedInvalid(_("The organisation must be of the feed's country."))
    fetching.check_url(feed.url)


@transaction.atomic
def feed_save(*, user, feed):
    """Registers or changes a feed. Whoever saves it becomes the coordinator its events are
    written for (so another coordinator can take over a feed whose owner left)."""
    if feed.pk:
        before = PartnerFeed.objects.select_for_update().get(pk=feed.pk)
        permissions.require(permissions.can_manage_feed(user, before))
        if before.url != feed.url:  # another address: its validators mean nothing there
            feed.etag = feed.last_modified = ""
    _check_settings(user, feed)
    feed.owner = user
    created = feed.pk is None
    feed.full_clean()
    feed.save()
    log(instance=feed, action="wagtail.create" if created else "wagtail.edit", user=user)
    return feed


@transaction.atomic
def feed_delete(*, user, feed):
    """The feed goes; the events it brought stay (as they are, without their source)."""
    feed = PartnerFeed.objects.select_for_update().get(pk=feed.pk)
    permissions.require(permissions.can_manage_feed(user, feed))
    log(instance=feed, action="wagtail.delete", user=user)
    feed.delete()


def _record(feed, outcome, *, error="", counts=None, answer=None):
    fields = {"last_fetched_at": timezone.now(), "last_outcome": outcome, "last_error": error}
    if counts is not None:
        fields["last_counts"] = counts
    if answer is not None and answer.status == 200:
        fields.update(etag=answer.etag, last_modified=answer.last_modified)
    failures = feed.failures + 1 if outcome == PartnerFeed.Outcome.FAILED else 0
    fields["failures"] = failures
    PartnerFeed.objects.filter(pk=feed.pk).update(**fields)
    for name, value in fields.items():
        setattr(feed, name, value)
    return feed


def feed_fetch(*, feed_id, fetcher=fetching.fetch):
    """Reads one feed into events. Never raises for anything the feed does (the outcome and the
    reason are recorded on the feed); database outages propagate (the worker retries)."""
    feed = PartnerFeed.objects.select_related("organisation", "owner").filter(pk=feed_id).first()
    if feed is None or not feed.active:
        return None
    if not permissions.feed_may_run(feed):
        return _record(feed, PartnerFeed.Outcome.FAILED, error=_(
            "The coordinator who registered this feed no longer coordinates its country, or the organisation "
            "is of another country. Save the feed again to take it over."))
    try:
        answer = fetcher(feed.url, etag=feed.etag, last_modified=feed.last_modified)
    except fetching.FetchRefused as error:
        return _record(feed, PartnerFeed.Outcome.FAILED, error=str(error))
    if answer.status == 304:
        return _record(feed, PartnerFeed.Outcome.NOT_MODIFIED, counts=feed.last_counts)
    topic_map = _topic_map()
    defaults = parse.Defaults(language=feed.language, country=feed.country.code, topics=frozenset(topic_map))
    try:
        items = parse.parse(answer.body, answer.content_type, defaults)
    except parse.FeedError as error:
        return _record(feed, PartnerFeed.Outcome.FAILED, error=str(error))
    counts = sync(feed, items, topic_map)
    return _record(feed, PartnerFeed.Outcome.OK, counts=counts, answer=answer)


def _topic_map():
    return {topic.slug: topic for topic in Topic.objects.filter(locale=Locale.get_default())}


def sync(feed, items, topic_map):
    """Creates, updates or cancels the feed's events from its items; the counts of each outcome
    and the first problems (source UID, message)."""
    counts = {"created": 0, "updated": 0, "unchanged": 0, "cancelled": 0, "invalid": 0, "skipped": 0}
    problems = []
    links = {link.source_uid: link for link in FeedEvent.objects.filter(feed=feed).select_related("event")}
    submitted = []
    now = timezone.now()
    seen = []
    for item in items:
        link = links.get(item.uid)
        fingerprint = item.fingerprint
        if link is not None:
            seen.append(link.pk)
            if link.fingerprint == fingerprint:
                counts["unchanged"] += 1
                continue
        if item.problems:
            counts["invalid"] += 1
            problems.append([item.uid, item.problems[0]])
            continue
        try:
            with transaction.atomic():
                outcome, event = _apply(feed, item, link, topic_map, fingerprint, now)
        except ITEM_ERRORS as error:
            counts["invalid"] += 1
            problems.append([item.uid, _message(error)])
            continue
        counts[outcome] += 1
        if outcome == "created" and event.status == Status.SUBMITTED:
            submitted.append(event)
    if seen:
        FeedEvent.objects.filter(pk__in=seen).update(last_seen_at=now)
    event_services.events_submitted_notify(submitted)
    counts["problems"] = problems[:PROBLEMS_KEPT]
    return counts


def _message(error):
    if isinstance(error, ValidationError):
        return "; ".join(error.messages)[:500]
    if isinstance(error, PermissionDenied):
        return _("Not allowed for the feed's coordinator.")
    return str(error)[:500] or type(error).__name__


class _RowInvalid(ValidationError):
    pass


def _validated(feed, item, topic_map, instance):
    form = imports.ImportEventForm(imports._form_data(item.row), instance=instance, topic_map=topic_map)
    if not form.is_valid():
        messages = []
        for name, errors in form.errors.items():
            for message in errors:
                messages.append(f"{name}: {message}" if name != "__all__" else message)
        raise _RowInvalid(messages)
    return form


def _apply(feed, item, link, topic_map, fingerprint, now):
    """One item: ('created' | 'updated' | 'cancelled' | 'skipped', event or None)."""
    owner = feed.owner
    if link is None:
        if item.cancelled:
            return "skipped", None  # never seen and already cancelled: nothing to tell anyone
        form = _validated(feed, item, topic_map, Event(organisation=feed.organisation, country=feed.country))
        event = event_services.event_create(user=owner, organisation=feed.organisation, data=form.service_data(),
                                            topics=form.selected_topics(), publish=feed.is_trusted)
        if event.status == Status.DRAFT:
            event = event_services.event_submit(user=owner, event=event, notify=False)
        FeedEvent.objects.create(feed=feed, source_uid=item.uid, event=event, fingerprint=fingerprint,
                                 last_seen_at=now)
        return "created", event
    event = link.event
    if event.status in (Status.REJECTED, Status.CANCELLED):
        outcome = "skipped"  # a coordinator's decision (or an earlier cancellation) stands
    elif item.cancelled:
        if event_services.allows(event, "cancel"):
            event_services.event_cancel(user=owner, event=event, message=_("Cancelled by its organiser (%(feed)s).")
                                        % {"feed": feed.name})
            outcome = "cancelled"
        else:  # not yet published: it leaves the queue as rejected
            event_services.event_reject(user=owner, event=event, reason=Event.RejectionReason.OTHER,
                                        note=_("Cancelled by its organiser (%(feed)s).") % {"feed": feed.name})
            outcome = "cancelled"
    else:
        form = _validated(feed, item, topic_map, Event.objects.get(pk=event.pk))
        event_services.event_update(user=owner, event=event, data=form.service_data(), topics=form.selected_topics())
        outcome = "updated"
    FeedEvent.objects.filter(pk=link.pk).update(fingerprint=fingerprint, last_seen_at=now)
    return outcome, event

