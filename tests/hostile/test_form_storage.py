"""Every field of every public form, one at a time, with NUL and bytes that are not UTF-8 in the
middle of an otherwise valid value (PostgreSQL refuses NUL in text: the classic 500), then all
fields huge, then all fields NUL: each submission is refused (400, or the form again with an
error) or taken with everything it stored clean - no NUL and no lone surrogate in any row written.
A negative control shows that the check catches a NUL that reaches the database."""

import pytest
from django.test import Client

from events import services
from tests import factories

from .forms import (
    CANCEL,
    DELETE,
    EVENT_FIELDS,
    JOIN,
    ORGANISATION,
    PASSWORD,
    REGISTRATION,
    SIGN_IN,
    SIGN_UP,
    TEST_PASSWORD,
    VALID_EVENT,
    reauthenticate,
)
from .helpers import fields_of, fresh_example, post_raw

pytestmark = pytest.mark.django_db


def _registration_form(client, signed_in):
    if signed_in:
        client.force_login(factories.user())
    return f"/en/events/{factories.published_event(factories.organisation('FR'), days=20).uid}/register/", {}


def _organiser(client):
    person = factories.user()
    client.force_login(person)
    return factories.organisation("FR", members=[person])


def _account(client):
    client.force_login(factories.user())
    reauthenticate(client)
    return "/en/my-data/delete/", {}


def _join(client):
    member = factories.user()
    org = factories.organisation("FR", members=[member])
    client.force_login(factories.user())
    return f"/en/organise/join/{services.organisation_invite_token(user=member, organisation=org)}/", {}


def _signed_in(client, path):
    client.force_login(factories.user())
    return path, {}


FORMS = {  # name: (fields, a valid submission, setup(client) → (path, more of the valid submission))
    "guest_registration": (REGISTRATION, {"name": "Ana", "email": "ana@example.org", "consent": "on"},
                           lambda client: _registration_form(client, signed_in=False)),
    "signed_in_registration": (REGISTRATION, {"consent": "on"},
                               lambda client: _registration_form(client, signed_in=True)),
    "organisation_create": (ORGANISATION, {"name": "Org", "country": "FR", "website": "https://example.org/"},
                            lambda client: _signed_in(client, "/en/organise/organisations/new/")),
    "event_create": (EVENT_FIELDS, VALID_EVENT,
                     lambda client: ("/en/organise/events/new/", {"organisation": str(_organiser(client).pk)})),
    "event_edit": (EVENT_FIELDS, VALID_EVENT,
                   lambda client: (f"/en/organise/events/{factories.event(_organiser(client)).uid}/edit/", {})),
    "event_cancel": (CANCEL, {"message": "Sorry."},
                     lambda client: (f"/en/organise/events/{factories.published_event(_organiser(client)).uid}/cancel/",
                                     {})),
    "invitation_join": (JOIN, {}, _join),
    "account_delete": (DELETE, {"confirm": "delete"}, _account),
    "sign_up": (SIGN_UP, {"email": "new@example.org", "password1": PASSWORD, "password2": PASSWORD},
                lambda client: ("/en/accounts/signup/", {})),
    "sign_in": (SIGN_IN, {"login": "citizen@example.org", "password": "x"}, lambda client: ("/en/accounts/login/", {})),
    "password_reset": (["email", "next"], {"email": "citizen@example.org"},
                       lambda client: ("/en/accounts/password/reset/", {})),
    "reauthenticate": (["password", "next"], {"password": TEST_PASSWORD},
                       lambda client: _signed_in(client, "/en/accounts/reauthenticate/")),
}


def poisoned(value):
    """NUL, an encoded surrogate and an invalid byte in the middle of a value."""
    raw = value.encode() if value else b"ab"
    return raw[:1] + b"\x00\xed\xa0\x80\xff" + raw[1:]


def dirty(value):
    """Why a stored string is not clean: a NUL or a lone surrogate in it (None when clean)."""
    if "\x00" in value:
        return "NUL"
    if any(0xD800 <= ord(char) <= 0xDFFF for char in value):
        return "lone surrogate"
    return None


# Where the public forms write: every row they create or change must be clean.
WRITTEN_MODELS = ("accounts.User", "account.EmailAddress", "events.Organisation", "events.Event",
                  "events.Registration", "wagtailcore.ModelLogEntry")


def post_and_check_storage(client, path, fields):
    """POST a form and check that whatever it stored holds no NUL and no lone surrogate: every row
    saved while it ran (post_save) and every new row of the models the public forms write.
    Returns the first answer's status and the last answer."""
    from django.apps import apps
    from django.db.models import Max
    from django.db.models.signals import post_save

    models = [apps.get_model(label) for label in WRITTEN_MODELS]
    newest = {model: model.objects.aggregate(top=Max("pk"))["top"] or 0 for model in models}
    saved = []

    def record(sender, instance, **kwargs):
        saved.append(instance)

    post_save.connect(record, weak=False, dispatch_uid="hostile-input-storage")
    try:
        status, response = post_raw(client, path, fields)
    finally:
        post_save.disconnect(dispatch_uid="hostile-input-storage")
    rows = [type(instance)._base_manager.filter(pk=instance.pk).first() for instance in saved if instance.pk]
    rows += [row for model in models for row in model._base_manager.filter(pk__gt=newest[model])]
    for row in filter(None, rows):
        for field in row._meta.concrete_fields:
            value = getattr(row, field.attname)
            texts = [value] if isinstance(value, str) else [str(value)] if isinstance(value, (dict, list)) else []
            for text in texts:
                assert not dirty(text), (path, f"{row._meta.label}.{field.name}", dirty(text), status)
    return status, response


def refused(status, response):
    """The form said no: 400, 403, 404, 429, or the form again with errors."""
    if status in (400, 403, 404, 429):
        return True
    form = response.context.get("form") if status == 200 and response.context else None
    return bool(form is not None and form.errors)


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_field_refuses_nul_and_bad_bytes(form):
    """Each poisoned value is refused (400, or the form again with an error on it) or, if the
    submission goes through, stored cleaned: no NUL and no lone surrogate in any row written."""
    names, valid, setup = FORMS[form]
    for field in names + ["all fields huge", "all fields NUL"]:
        fresh_example()
        client = Client()
        path, more = setup(client)
        if field == "all fields huge":
            data = {name: "ü" * 100_000 for name in names}
        elif field == "all fields NUL":
            data = {name: "\x00" for name in names}
        else:
            data = {**valid, **more}
            data[field] = poisoned(data.get(field, ""))
        # Refused, or taken (302; 200 for a form that shows its result) with everything it
        # stored clean: post_and_check_storage has checked every row written.
        status, response = post_and_check_storage(client, path, fields_of(names, data))
        assert refused(status, response) or status in (200, 302), (form, field, status)


def test_storing_a_nul_would_fail_the_form_check(monkeypatch):
    """The negative control: with Django's refusal of NUL in form fields turned off, a NUL reaches
    the database (SQLite stores it; PostgreSQL refuses it with an error) and the check fails."""
    from django.core import validators
    from django.db import DatabaseError, connection

    monkeypatch.setattr(validators.ProhibitNullCharactersValidator, "__call__", lambda self, value: None)
    fresh_example()
    client = Client()
    path, _more = FORMS["guest_registration"][2](client)
    data = {"name": poisoned("Ana"), "email": "ana@example.org", "consent": "on"}
    if connection.vendor == "sqlite":
        raises = pytest.raises(AssertionError, match="NUL")
    else:
        raises = pytest.raises((ValueError, DatabaseError))
    with raises:
        post_and_check_storage(client, path, fields_of(REGISTRATION, data))
