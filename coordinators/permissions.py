"""THE ONLY module that decides, by country, who may see or change what.

Views, admin views, services, feeds and exports ask here; none of them filters by country on its
own. Querysets come back already scoped, so an object of another country is simply not found
(a 404 in views), and predicates guard the services.

Roles:
- EU team: superusers. Every country.
- National coordinator: a user with CoordinatorAssignment rows. Their countries only.
- Organiser: a member of an Organisation. The events of their organisations only.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied

from events.models import Event, Organisation


def is_eu_team(user):
    return bool(user and user.is_authenticated and user.is_active and user.is_superuser)


def coordinator_countries(user):
    """The country codes a user coordinates; every participating country for the EU team."""
    if not (user and user.is_authenticated and user.is_active):
        return frozenset()
    if is_eu_team(user):
        return frozenset(settings.EYOS_COUNTRIES)
    cached = getattr(user, "_eyos_coordinator_countries", None)
    if cached is None:
        cached = frozenset(user.coordinator_assignments.values_list("country", flat=True))
        user._eyos_coordinator_countries = cached
    return cached


def is_coordinator(user):
    return bool(coordinator_countries(user))


def moderatable_events(user):
    """Events a user may moderate and edit as a coordinator."""
    if is_eu_team(user):
        return Event.objects.all()
    countries = coordinator_countries(user)
    if not countries:
        return Event.objects.none()
    return Event.objects.filter(country__in=countries)


def organiser_events(user):
    """Events of the organisations a user belongs to."""
    if not (user and user.is_authenticated and user.is_active):
        return Event.objects.none()
    return Event.objects.filter(organisation__members=user)


def can_moderate(user, event):
    return is_eu_team(user) or event.country.code in coordinator_countries(user)


def is_member(user, organisation):
    if not (user and user.is_authenticated and user.is_active):
        return False
    return organisation.members.filter(pk=user.pk).exists()


def can_edit(user, event):
    """Coordinators edit their countries' events; organisers their own organisation's."""
    return can_moderate(user, event) or is_member(user, event.organisation)


def can_publish_directly(user, country_code):
    """Coordinators create events straight into `published` for their countries."""
    return is_eu_team(user) or country_code in coordinator_countries(user)


def can_create_for(user, organisation, country_code):
    """An organiser creates events for their organisation, in its country; a coordinator for any
    organisation in the countries they coordinate."""
    if can_publish_directly(user, country_code):
        return True
    return is_member(user, organisation) and organisation.country.code == country_code


def coordinators_of(country_code):
    """Who hears of new submissions from a country."""
    from django.contrib.auth import get_user_model

    return get_user_model().objects.filter(
        coordinator_assignments__country=country_code, is_active=True
    ).distinct()


def require(allowed):
    """Services call this with the answer of one of the predicates above."""
    if not allowed:
        raise PermissionDenied("You may not do this for this event.")
