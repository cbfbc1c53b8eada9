"""Organisations: founding one, invitation links, joining."""


from django.core import signing
from django.core.exceptions import PermissionDenied
from django.db import transaction
from wagtail.log_actions import log

from coordinators import permissions

from ..models import Organisation
from .slugs import unique_slug



INVITE_SALT = "eyos.organisation-invite"
INVITE_MAX_AGE = 14 * 24 * 3600


class InvalidInvitation(Exception):
    """The invitation link was altered, has expired or was revoked."""


@transaction.atomic
def organisation_create(*, user, name, country, website=""):
    """Anyone signed in may found an organisation; they become its first member. Coordinators
    verify organisations later."""
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied
    organisation = Organisation(name=name, country=country, website=website,
                                slug=unique_slug(Organisation.objects.all(), name, fallback="organisation"))
    organisation.full_clean()
    organisation.save()
    organisation.members.add(user)
    log(instance=organisation, action="wagtail.create", user=user)
    return organisation


def organisation_invite_token(*, user, organisation):
    """A signed, expiring link members share with colleagues. Only members may hand it out."""
    permissions.require(permissions.is_member(user, organisation))
    return signing.dumps({"o": organisation.pk, "v": organisation.invite_version}, salt=INVITE_SALT, compress=True)


def organisation_from_invite(token):
    """The organisation an invitation is for, or InvalidInvitation."""
    try:
        data = signing.loads(token, salt=INVITE_SALT, max_age=INVITE_MAX_AGE)
    except signing.BadSignature as error:  # includes SignatureExpired
        raise InvalidInvitation from error
    organisation = Organisation.objects.filter(pk=data.get("o")).first()
    if organisation is None or organisation.invite_version != data.get("v"):
        raise InvalidInvitation
    return organisation


@transaction.atomic
def organisation_join(*, user, token):
    if not (user and user.is_authenticated and user.is_active):
        raise PermissionDenied
    organisation = organisation_from_invite(token)
    if not organisation.members.filter(pk=user.pk).exists():
        organisation.members.add(user)
        log(instance=organisation, action="eyos.organisation.join", user=user)
    return organisation


@transaction.atomic
def organisation_renew_invite(*, user, organisation):
    """Revokes every invitation link handed out so far."""
    organisation = Organisation.objects.select_for_update().get(pk=organisation.pk)
    permissions.require(permissions.is_member(user, organisation))
    organisation.invite_version += 1
    organisation.save(update_fields=["invite_version"])
    log(instance=organisation, action="eyos.organisation.renew_invite", user=user)
    return organisation
