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
from django.db.models import Q

from events.countries import participating_countries
from events.models import Event, Organisation
from partnerfeeds.models import PartnerFeed


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
        # Kept under the people version (every change to an assignment bumps it, at once and on
        # commit): a country taken away is gone on the user's next request, on every server.
        from events.pagecache import people_cached

        cached = people_cached(("coordinator_countries", user.pk), lambda: frozenset(
            user.coordinator_assignments.values_list("country", flat=True)))
        user._eyos_coordinator_countries = cached
    return cached


def is_coordinator(user):
    return bool(coordinator_countries(user))


def must_use_mfa(user):
    """Who must sign in with a second factor when EYOS_REQUIRE_MFA is on: everyone who holds keys
    to other people's data (the EU team, coordinators, anyone who can open the admin), wherever
    they are on the site, since coordinators also see registrants on the public side."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    return user.is_superuser or user.is_staff or is_coordinator(user) or user.has_perm("wagtailadmin.access_admin")


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


def member_organisations(user):
    """The organisations a user belongs to: the only ones whose pages and invitations they see."""
    if not (user and user.is_authenticated and user.is_active):
        return Organisation.objects.none()
    return Organisation.objects.filter(members=user)


def coordinated_organisations(user):
    """Organisations of the countries a user coordinates: those they may pick for an event."""
    if is_eu_team(user):
        return Organisation.objects.all()
    return Organisation.objects.filter(country__in=coordinator_countries(user))


def can_moderate(user, event):
    return is_eu_team(user) or event.country.code in coordinator_countries(user)


def is_member(user, organisation):
    if not (user and user.is_authenticated and user.is_active):
        return False
    return organisation.members.filter(pk=user.pk).exists()


def can_edit(user, event):
    """Coordinators edit their countries' events; organisers their own organisation's."""
    return can_moderate(user, event) or is_member(user, event.organisation)


def can_announce(user, event):
    """Who may write to an event's registrants: its organisation's members."""
    return is_member(user, event.organisation)


def publishes_directly(user, event):
    """Members of a verified organisation publish its events without waiting for moderation;
    a coordinator spot-checks them afterwards."""
    return bool(event.organisation.verified) and is_member(user, event.organisation)


def can_block_submitter(user, event, submitter):
    """Reject as spam and deactivate the account: only coordinators of the event's own country,
    and never against staff, EU team or coordinator accounts."""
    if submitter is None or not can_moderate(user, event):
        return False
    if event.country.code not in coordinator_countries(user):
        return False
    if submitter.is_staff or submitter.is_superuser:
        return False
    return not submitter.coordinator_assignments.exists()


def can_translate_event(user, event):
    """Who may enter an event's own translations (contenttranslation): whoever may edit it, its
    organisation's members, its country's coordinators and the EU team, whatever its status."""
    return can_edit(user, event)


def translatable_events(user):
    """Events whose translations a user may see and change on the organiser pages."""
    return (organiser_events(user) | moderatable_events(user)).distinct()


def can_publish_directly(user, country_code):
    """Coordinators create events straight into `published` for their countries."""
    return is_eu_team(user) or country_code in coordinator_countries(user)


def can_create_for(user, organisation, country_code):
    """Events belong to the country of their organisation. Organisers create them for their own
    organisation; coordinators for any organisation of a country they coordinate."""
    if organisation.country.code != country_code:
        return False
    return can_publish_directly(user, country_code) or is_member(user, organisation)


def coordinator_country_choices(user):
    """(code, name) of the countries a user coordinates, for filters and country switches."""
    mine = coordinator_countries(user)
    return [(code, name) for code, name in participating_countries() if code in mine]


def scoped_country(user, country_code):
    """A country filter a coordinator may apply: the code when it is one of theirs, else None."""
    code = (country_code or "").upper()
    return code if code and code in coordinator_countries(user) else None


def can_cancel_registration(user, registration):
    """Account holders cancel their own registrations (also those made as a guest with their
    verified address); guests use the signed link in their email."""
    if not (user and user.is_authenticated and user.is_active):
        return False
    if registration.user_id == user.pk:
        return True
    if registration.user_id is not None:  # another account's registration, whatever its address
        return False
    if registration.email == user.email.lower():
        return True
    return _verified_addresses(user).filter(address=registration.email.lower()).exists()


def _verified_addresses(user):
    """The account's other verified addresses (allauth), lower-cased, as a subquery."""
    from allauth.account.models import EmailAddress
    from django.db.models.functions import Lower

    return EmailAddress.objects.filter(user=user, verified=True).annotate(address=Lower("email")).values("address")


def own_registrations(user):
    """Registrations that belong to an account: made signed in, or as a guest with its address or
    another of its verified addresses."""
    from django.db.models import Q

    from events.models import Registration

    if not (user and user.is_authenticated and user.is_active):
        return Registration.objects.none()
    # By address only guests' registrations: an address that moved from one account to another
    # does not bring the first account's registrations with it.
    return Registration.objects.filter(
        Q(user=user) | Q(user__isnull=True, email=user.email.lower())
        | Q(user__isnull=True, email__in=_verified_addresses(user))
    )


def registrant_events(user):
    """Events whose registrants a user may see and export: coordinators' countries, organisers'
    own organisations."""
    from django.db.models import Q

    if is_eu_team(user):
        return Event.objects.all()
    if not (user and user.is_authenticated and user.is_active):
        return Event.objects.none()
    return Event.objects.filter(
        Q(country__in=coordinator_countries(user)) | Q(organisation__members=user)
    ).distinct()


def exportable_registrations(user):
    """Registrations a user may export: for coordinators, those of their countries' events."""
    from events.models import Registration

    if is_eu_team(user):
        return Registration.objects.all()
    return Registration.objects.filter(event__country__in=coordinator_countries(user))


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


def coverage_pages(user):
    """Pages whose translations a user follows: every campaign and national page for the EU team,
    their countries' national pages for coordinators."""
    from wagtail.models import Page

    from campaigns.models import CampaignIndexPage, CampaignPage, HomePage, NationalPage

    if is_eu_team(user):
        return Page.objects.type(HomePage, CampaignIndexPage, CampaignPage, NationalPage)
    pages = NationalPage.objects.filter(country__in=coordinator_countries(user)).values("pk")
    return Page.objects.filter(pk__in=pages)


def can_translate_page(user, page):
    """Who may submit a CMS page for translation (wagtail-localize): the EU team any page,
    coordinators the pages of their countries' NationalPage subtrees (in any language) only."""
    if is_eu_team(user):
        return True
    countries = coordinator_countries(user)
    if not countries:
        return False
    from campaigns.models import NationalPage

    return NationalPage.objects.filter(country__in=countries, locale_id=page.locale_id,
                                       path__in=[page.path[:i] for i in range(4, len(page.path) + 1, 4)]).exists()


# Wagtail page permissions of a country's NationalPage subtree (every locale's copy) belong to one
# group per country; its members are exactly that country's coordinators.
COUNTRY_PAGE_PERMISSIONS = ("add_page", "change_page", "publish_page")


def country_group_name(country_code):
    return f"National coordinators {country_code}"


def submit_translation_permission():
    """wagtail-localize's "Can submit translations". Its migration creates it, so a database that
    was flushed (the browser tests' live server does it) has none: made again as it made it."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    content_type, _created = ContentType.objects.get_or_create(app_label="wagtail_localize", model="translation")
    permission, _created = Permission.objects.get_or_create(
        content_type=content_type, codename="submit_translation", defaults={"name": "Can submit translations"})
    return permission


def sync_country_page_permissions(country_code):
    """Make the country group hold the page permissions on every NationalPage of that country and
    contain exactly the users assigned to it. Idempotent; called whenever an assignment or a
    national page changes."""
    from django.contrib.auth.models import Group, Permission
    from wagtail.models import GroupPagePermission

    from campaigns.models import NationalPage

    from .models import CoordinatorAssignment

    group, _created = Group.objects.get_or_create(name=country_group_name(country_code))
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin"),
        # wagtail-localize's "Translate this page"; which pages is decided by can_translate_page.
        submit_translation_permission(),
    )
    perms = list(Permission.objects.filter(
        content_type__app_label="wagtailcore", codename__in=COUNTRY_PAGE_PERMISSIONS
    ))
    pages = list(NationalPage.objects.filter(country=country_code))
    GroupPagePermission.objects.filter(group=group).exclude(page__in=pages).delete()
    for page in pages:
        for perm in perms:
            GroupPagePermission.objects.get_or_create(group=group, page=page, permission=perm)
    assigned = set(CoordinatorAssignment.objects.filter(country=country_code).values_list("user_id", flat=True))
    current = set(group.user_set.values_list("pk", flat=True))
    if current - assigned:
        group.user_set.remove(*(current - assigned))
    if assigned - current:
        group.user_set.add(*(assigned - current))
    return group


def can_check_in(user, event):
    """Who marks attendance and adds walk-ins (outcomes): whoever may edit the event."""
    return can_edit(user, event)


def outcome_events(user):
    """Events whose outcome a user may report or correct: their organisations' events, and as a
    coordinator those of their countries."""
    return (organiser_events(user) | moderatable_events(user)).distinct()


def can_report_outcome(user, event):
    """Organisers report their own events' outcomes; coordinators correct those of their
    countries (every change is in the audit log)."""
    return can_edit(user, event)


def importable_organisations(user):
    """Organisations a user may bulk-import events for: their own (into the queue) and, for
    coordinators, those of the countries they coordinate (published at once)."""
    if not (user and user.is_authenticated and user.is_active):
        return Organisation.objects.none()
    return Organisation.objects.filter(
        Q(pk__in=member_organisations(user).values("pk")) | Q(pk__in=coordinated_organisations(user).values("pk"))
    )


# Partner feeds (partnerfeeds) -------------------------------------------------------------------

def manageable_feeds(user):
    """The partner feeds of the countries a user coordinates."""
    if is_eu_team(user):
        return PartnerFeed.objects.all()
    return PartnerFeed.objects.filter(country__in=coordinator_countries(user))


def can_manage_feed(user, feed):
    return can_publish_directly(user, feed.country.code)


def feed_may_run(feed):
    """A feed's events are written on behalf of the coordinator who registered it: only while
    they still coordinate its country and its organisation is of that country."""
    owner = feed.owner
    return bool(owner and owner.is_active and feed.organisation.country.code == feed.country.code
                and can_publish_directly(owner, feed.country.code))
