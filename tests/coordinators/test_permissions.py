"""The permission matrix for services: a French coordinator and the member of a French
organisation try every service on a German event (and the reverse). Each try is refused and
changes nothing."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied
from django.forms.models import model_to_dict
from django.utils import timezone
from wagtail.models import ModelLogEntry

from coordinators import permissions
from events import services
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db
S = Event.Status

SERVICE_CALLS = {
    "event_submit": (S.DRAFT, lambda user, event: services.event_submit(user=user, event=event)),
    "event_approve": (S.SUBMITTED, lambda user, event: services.event_approve(user=user, event=event)),
    "event_request_changes": (
        S.SUBMITTED, lambda user, event: services.event_request_changes(user=user, event=event, comment="x")),
    "event_reject": (S.SUBMITTED, lambda user, event: services.event_reject(user=user, event=event, reason="other")),
    "event_cancel": (S.PUBLISHED, lambda user, event: services.event_cancel(user=user, event=event, message="x")),
    "event_update": (S.DRAFT, lambda user, event: services.event_update(user=user, event=event, data={"title": "Hijacked"})),
    "event_spot_check": (S.PUBLISHED, lambda user, event: services.event_spot_check(user=user, event=event)),
    "event_reject_and_block": (
        S.SUBMITTED, lambda user, event: services.event_reject_and_block(user=user, event=event, note="x")),
}


def test_every_event_service_is_in_the_matrix():
    public = {name for name in dir(services) if name.startswith("event_") and callable(getattr(services, name))}
    # event_geocoded takes no user: it is the geocoding task's write, never reachable from a request.
    assert public - {"event_create", "event_geocoded"} == set(SERVICE_CALLS)


@pytest.fixture
def sides(db):
    fr_member, de_member = factories.user(), factories.user()
    return {
        "FR": {"coordinator": factories.coordinator("FR"), "organiser": fr_member,
               "org": factories.organisation("FR", members=[fr_member])},
        "DE": {"coordinator": factories.coordinator("DE"), "organiser": de_member,
               "org": factories.organisation("DE", members=[de_member])},
    }


@pytest.mark.parametrize("service", sorted(SERVICE_CALLS))
@pytest.mark.parametrize("role", ["coordinator", "organiser"])
@pytest.mark.parametrize("mine, theirs", [("FR", "DE"), ("DE", "FR")])
def test_other_countrys_event_is_refused_and_unchanged(sides, service, role, mine, theirs):
    status, call = SERVICE_CALLS[service]
    event = factories.event(sides[theirs]["org"], status=status)
    before = model_to_dict(Event.objects.get(pk=event.pk))
    with pytest.raises(PermissionDenied):
        call(sides[mine][role], event)
    assert model_to_dict(Event.objects.get(pk=event.pk)) == before
    assert not ModelLogEntry.objects.for_instance(event).exists()


@pytest.mark.parametrize("mine, theirs", [("FR", "DE"), ("DE", "FR")])
def test_create_for_another_countrys_organisation_is_refused(sides, mine, theirs):
    from datetime import timedelta

    start = factories.event(sides[mine]["org"]).start
    data = {"title": "t", "summary": "s", "start": start, "end": start + timedelta(hours=1), "city": "c", "address": "a"}
    for role in ("coordinator", "organiser"):
        with pytest.raises(PermissionDenied):
            services.event_create(user=sides[mine][role], organisation=sides[theirs]["org"], data=data)


def test_coordinators_cannot_create_for_an_organisation_of_another_country():
    from django.core.exceptions import PermissionDenied

    german = factories.organisation("DE")
    with pytest.raises(PermissionDenied):
        services.event_create(user=factories.coordinator("FR"), organisation=german, data={
            "country": "FR", "title": "x", "summary": "x", "start": timezone.now() + timedelta(days=3),
            "end": timezone.now() + timedelta(days=3, hours=1), "timezone": "Europe/Paris", "format": "online",
            "online_url": "https://example.org/"})


def test_querysets_are_scoped_by_country(sides):
    fr_event = factories.event(sides["FR"]["org"], status=S.SUBMITTED)
    de_event = factories.event(sides["DE"]["org"], status=S.SUBMITTED)
    mine = [fr_event.pk, de_event.pk]
    fr_coordinator, de_coordinator = sides["FR"]["coordinator"], sides["DE"]["coordinator"]
    assert list(permissions.moderatable_events(fr_coordinator).filter(pk__in=mine)) == [fr_event]
    assert list(permissions.moderatable_events(de_coordinator).filter(pk__in=mine)) == [de_event]
    assert not permissions.moderatable_events(fr_coordinator).exclude(country="FR").exists()
    assert not permissions.moderatable_events(de_coordinator).exclude(country="DE").exists()
    assert list(permissions.organiser_events(sides["FR"]["organiser"])) == [fr_event]
    assert not permissions.moderatable_events(sides["FR"]["organiser"]).exists()
    eu = factories.user(is_superuser=True)
    assert set(permissions.moderatable_events(eu).filter(pk__in=mine)) == {fr_event, de_event}
    assert permissions.moderatable_events(eu).count() == Event.objects.count()


def test_a_coordinator_of_several_countries_sees_all_of_them(sides):
    both = factories.coordinator("FR")
    from coordinators.models import CoordinatorAssignment

    CoordinatorAssignment.objects.create(user=both, country="DE")
    fr_event = factories.event(sides["FR"]["org"], status=S.SUBMITTED)
    de_event = factories.event(sides["DE"]["org"], status=S.SUBMITTED)
    assert set(permissions.moderatable_events(both).filter(pk__in=[fr_event.pk, de_event.pk])) == {fr_event, de_event}
    assert permissions.can_moderate(both, de_event)


def test_anonymous_and_inactive_users_get_nothing(sides):
    from django.contrib.auth.models import AnonymousUser

    event = factories.event(sides["FR"]["org"], status=S.SUBMITTED)
    inactive = sides["FR"]["coordinator"]
    inactive.is_active = False
    inactive.save()
    for user in (AnonymousUser(), inactive):
        assert not permissions.can_moderate(user, event)
        assert not permissions.moderatable_events(user).exists()


ORGANISATION_SERVICES = {
    "organisation_invite_token": lambda user, org: services.organisation_invite_token(user=user, organisation=org),
    "organisation_renew_invite": lambda user, org: services.organisation_renew_invite(user=user, organisation=org),
}


def test_every_organisation_service_is_covered():
    public = {name for name in dir(services) if name.startswith("organisation_") and callable(getattr(services, name))}
    # Creating needs no existing organisation; joining needs a token only members can make.
    assert public - {"organisation_create", "organisation_join", "organisation_from_invite"} == set(ORGANISATION_SERVICES)


@pytest.mark.parametrize("service", sorted(ORGANISATION_SERVICES))
@pytest.mark.parametrize("role", ["coordinator", "organiser"])
@pytest.mark.parametrize("mine, theirs", [("FR", "DE"), ("DE", "FR")])
def test_other_organisations_are_refused_and_unchanged(sides, service, role, mine, theirs):
    org = sides[theirs]["org"]
    before = model_to_dict(type(org).objects.get(pk=org.pk))
    with pytest.raises(PermissionDenied):
        ORGANISATION_SERVICES[service](sides[mine][role], org)
    assert model_to_dict(type(org).objects.get(pk=org.pk)) == before


def test_joining_needs_a_signed_in_user_and_a_valid_token(sides):
    from django.contrib.auth.models import AnonymousUser

    org = sides["FR"]["org"]
    token = services.organisation_invite_token(user=sides["FR"]["organiser"], organisation=org)
    with pytest.raises(PermissionDenied):
        services.organisation_join(user=AnonymousUser(), token=token)
    with pytest.raises(services.InvalidInvitation):
        services.organisation_join(user=sides["DE"]["organiser"], token=token[:-2] + "xx")
    assert not org.members.filter(pk=sides["DE"]["organiser"].pk).exists()
