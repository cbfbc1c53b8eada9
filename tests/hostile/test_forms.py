"""Hostile input in every public form (registration, organisations, organisers' events,
cancellation, invitations, account deletion, allauth's sign-up, sign-in, password reset and
re-authentication): hostile values, sent as a raw urlencoded body so that bytes which are not UTF-8
reach Django too, never give a 500 and nothing half-valid is saved. Redirects are followed, so the
page that shows what was saved is rendered as well. Event times at the ends of Python's calendar
are field errors."""

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.validators import validate_email
from django.forms.models import model_to_dict
from django.test import Client
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from hypothesis import example, given
from hypothesis import event as observe
from hypothesis import strategies as st

from events import services
from events.models import Event, Organisation, Registration
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
from .helpers import encoded, fields_of, fresh_example, last, post_raw
from .strategies import (
    CONTROL,
    COUNTRIES,
    DATES,
    FEW,
    HOSTILE,
    HTML,
    NUMBERS,
    SQL,
    UNICODE,
    hostile_path_value,
)

pytestmark = pytest.mark.django_db

# Short hostile text, which a form may well accept (and so save).
PLAUSIBLE = st.one_of(st.text(min_size=1, max_size=60), UNICODE, CONTROL, SQL, HTML,
                      st.lists(st.one_of(st.text(max_size=10), CONTROL, SQL, HTML), min_size=2, max_size=4).map(
                          "".join))
EMAILS = st.sampled_from([
    "ana@example.org", "ÜBER@example.org", "ü@exämple.org", "a+b@example.org", "x@[127.0.0.1]", "\"q d\"@example.org",
    "a@b", "a" * 64 + "@example.org", "a" * 65 + "@example.org", "a@" + "b" * 250 + ".org", "a@example.org\n",
    "a@example.org\x00", " a@example.org ", "a@@example.org", "a@example.org, b@example.org", "citizen@example.org",
    "CITIZEN@EXAMPLE.ORG", "organiser@example.org", "a@xn--bcher-kva.example", "a@-example.org", "@", "a@.",
])


def form_data(names, valid=None):
    """Some of a form's fields (others left out, some repeated), each hostile; or, with `valid`,
    a valid submission but for one or two hostile fields, so that the hostile value gets further."""
    field = HOSTILE | st.lists(HOSTILE, min_size=2, max_size=3)
    anything = st.dictionaries(st.sampled_from(names), field, max_size=len(names))
    if valid is None:
        return anything
    almost = st.dictionaries(st.sampled_from(names), PLAUSIBLE | EMAILS | DATES | NUMBERS | COUNTRIES | field,
                             min_size=1, max_size=2)
    return st.one_of(almost.map(lambda data: {**valid, **data}), anything)


def assert_valid(instance, exclude=()):
    """What was saved passes the model's own validation, and holds no NUL."""
    instance.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    for field in instance._meta.concrete_fields:
        value = getattr(instance, field.attname)
        if isinstance(value, str):
            assert "\x00" not in value, field.name


def member_client(organisation):
    """A client signed in as a new member of the organisation."""
    member = factories.user()
    organisation.members.add(member)
    other = Client()
    other.force_login(member)
    return other


def assert_event_pages_render(client, event):
    """An event holding hostile values: its organiser's pages, and - once published - its public
    page, its calendar file, the list and the feeds all render."""
    for path in (f"/en/organise/events/{event.uid}/", f"/en/organise/events/{event.uid}/edit/"):
        assert client.get(path).status_code == 200, path
    Event.objects.filter(pk=event.pk).update(status=Event.Status.PUBLISHED)
    cache.clear()
    for path, params in ((f"/en/events/{event.uid}/", {}), (f"/feeds/events/{event.uid}.ics", {}),
                         ("/en/events/", {"q": event.title[:50], "country": event.country.code}),
                         (f"/feeds/countries/{event.country.code.lower()}.ics", {}),
                         ("/feeds/events.ics", {"q": event.title[:50]})):
        response = client.get(path, params)
        assert response.status_code in (200, 400), (path, response.status_code)


def assert_registrants_render(organisation, event):
    other = member_client(organisation)
    assert other.get(f"/en/organise/events/{event.uid}/registrants/").status_code == 200
    response = other.get(f"/en/organise/events/{event.uid}/registrants.csv")
    assert response.status_code == 200
    b"".join(response.streaming_content)


@FEW
@given(data=form_data(REGISTRATION, valid={"name": "Ana", "email": "ana@example.org", "consent": "on"}))
def test_guest_registration_form_never_fails_and_saves_only_valid_input(client, data):
    fresh_example()
    org = factories.organisation("FR")
    event = factories.published_event(org, days=20)
    status, _response = post_raw(client, f"/en/events/{event.uid}/register/", fields_of(REGISTRATION, data))
    assert status in (200, 400), status
    registrations = list(Registration.objects.filter(event=event))
    if status == 400:
        assert registrations == []
    for registration in registrations:
        assert_valid(registration, exclude=["consent_version"])
        validate_email(registration.email)
        assert registration.name.strip() and len(registration.name) <= 150
    if registrations:
        assert_registrants_render(org, event)


@FEW
@given(data=form_data(REGISTRATION, valid={"consent": "on"}))
def test_signed_in_registration_form_never_fails(client, data):
    fresh_example()
    person = factories.user()
    client.force_login(person)
    event = factories.published_event(factories.organisation("FR"), days=20)
    status, _response = post_raw(client, f"/en/events/{event.uid}/register/", fields_of(REGISTRATION, data))
    assert status in (302, 400), status
    registrations = list(Registration.objects.filter(event=event))
    if status == 400:
        assert registrations == []
    for registration in registrations:
        # Name and address come from the account, never from the form.
        assert registration.email == person.email and registration.user == person
        assert_valid(registration, exclude=["consent_version"])


@FEW
@given(data=form_data(ORGANISATION, valid={"name": "Hostile Org", "country": "FR", "website": "https://example.org/"}))
def test_organisation_form_never_fails_and_saves_only_valid_input(client, data):
    fresh_example()
    person = factories.user()
    client.force_login(person)
    status, _response = post_raw(client, "/en/organise/organisations/new/", fields_of(ORGANISATION, data))
    assert status in (200, 302, 400), status
    created = list(Organisation.objects.filter(members=person))
    if status != 302:
        assert created == []
    for organisation in created:
        assert organisation.country.code in settings.EYOS_COUNTRIES
        assert organisation.name.strip() and len(organisation.name) <= 200
        assert_valid(organisation)
        assert client.get("/en/organise/").status_code == 200


@FEW
@given(data=form_data(EVENT_FIELDS, valid=VALID_EVENT))
@example(data={**VALID_EVENT, "topics": "9" * 10_000})  # found by Hypothesis: int() refuses > 4,300 digits
@example(data={**VALID_EVENT, "organisation": "9" * 5_000})
@example(data={**VALID_EVENT, "topics": "١٢"})
def test_organiser_event_form_never_fails_and_saves_only_valid_input(client, data):
    fresh_example()
    person = factories.user()
    org = factories.organisation("FR", members=[person])
    client.force_login(person)
    data.setdefault("organisation", str(org.pk))
    status, _response = post_raw(client, "/en/organise/events/new/", fields_of(EVENT_FIELDS, data))
    assert status in (200, 302, 400), status
    created = list(Event.objects.filter(organisation=org))
    if status != 302:
        assert created == []
    for event in created:
        assert_valid(event, exclude=["slug"])
        assert event.start > timezone.now() and event.end > event.start and event.status == Event.Status.DRAFT
        assert_event_pages_render(client, event)


@FEW
@given(data=form_data(EVENT_FIELDS, valid=VALID_EVENT))
def test_organiser_event_edit_never_fails_and_changes_nothing_when_refused(client, data):
    fresh_example()
    person = factories.user()
    org = factories.organisation("FR", members=[person])
    event = factories.event(org, format="onsite", registration_mode="platform")
    client.force_login(person)
    before = model_to_dict(event)
    status, _response = post_raw(client, f"/en/organise/events/{event.uid}/edit/", fields_of(EVENT_FIELDS, data))
    assert status in (200, 302, 400), status
    event.refresh_from_db()
    if status != 302:
        assert model_to_dict(event) == before
    assert_valid(event, exclude=["slug"])
    assert event.end > event.start and event.organisation == org and event.status == Event.Status.DRAFT
    if status == 302:
        assert_event_pages_render(client, event)


@FEW
@given(data=form_data(CANCEL, valid={"message": "Sorry, the room is flooded."}))
def test_organiser_cancel_form_never_fails(client, data):
    fresh_example()
    person = factories.user()
    org = factories.organisation("FR", members=[person])
    event = factories.published_event(org, days=20)
    Registration.objects.create(event=event, name="Ana", email="ana@example.org", consent_at=timezone.now(),
                                status=Registration.Status.CONFIRMED, confirmed_at=timezone.now())
    client.force_login(person)
    status, _response = post_raw(client, f"/en/organise/events/{event.uid}/cancel/", fields_of(CANCEL, data))
    assert status in (200, 302, 400), status
    event.refresh_from_db()
    if status != 302:
        assert event.status == Event.Status.PUBLISHED and event.cancellation_message == ""
    if event.status == Event.Status.CANCELLED:
        assert event.cancellation_message.strip() and len(event.cancellation_message) <= 2000
        assert_valid(event, exclude=["slug"])
        for path in (f"/en/events/{event.uid}/", f"/feeds/events/{event.uid}.ics"):
            assert client.get(path).status_code == 200, path


@FEW
@given(token=hostile_path_value("StringConverter", "token"), data=form_data(JOIN), real=st.booleans())
def test_invitation_join_never_fails_and_joins_only_with_a_real_token(client, token, data, real):
    fresh_example()
    member, person = factories.user(), factories.user()
    org = factories.organisation("FR", members=[member])
    client.force_login(person)
    if real:
        token = services.organisation_invite_token(user=member, organisation=org)
    path = f"/en/organise/join/{encoded(token)}/"
    assert client.get(path).status_code in (200, 302, 400, 404)
    status, _response = post_raw(client, path, fields_of(JOIN, data))
    assert status in (302, 400, 404), status
    assert list(Organisation.objects.filter(members=person)) == ([org] if real else [])


@FEW
@given(data=form_data(DELETE, valid={"confirm": "delete"}))
def test_account_deletion_never_fails_and_needs_the_confirmation(client, data):
    fresh_example()
    person = factories.user()  # a throwaway account
    client.force_login(person)
    reauthenticate(client)
    status, _response = post_raw(client, "/en/my-data/delete/", fields_of(DELETE, data))
    assert status in (200, 302, 400), status
    exists = get_user_model().objects.filter(pk=person.pk).exists()
    deleted = status != 400 and "confirm" in data and last(data["confirm"]) == "delete"
    assert exists != deleted, (data.get("confirm"), exists)


@FEW
@given(data=form_data(SIGN_UP, valid={"email": "new-hostile@example.org", "password1": PASSWORD,
                                     "password2": PASSWORD}))
def test_sign_up_never_fails_and_creates_only_valid_accounts(client, data):
    fresh_example()
    User = get_user_model()
    before = set(User.objects.values_list("pk", flat=True))
    status, _response = post_raw(client, "/en/accounts/signup/", fields_of(SIGN_UP, data))
    assert status in (200, 302, 400, 429), status
    created = list(User.objects.exclude(pk__in=before))
    if status != 302:
        assert created == []
    for user in created:
        validate_email(user.email)
        assert_valid(user, exclude=["password"])
        assert not user.is_staff and not user.is_superuser


@FEW
@given(data=form_data(SIGN_IN, valid={"login": "citizen@example.org", "password": "not-the-password"}))
def test_sign_in_never_fails_and_signs_nobody_in(client, data):
    fresh_example()
    status, _response = post_raw(client, "/en/accounts/login/", fields_of(SIGN_IN, data))
    assert status in (200, 400, 429), status
    assert "_auth_user_id" not in client.session


@FEW
@given(data=form_data(["email", "next"], valid={"email": "citizen@example.org"}))
def test_password_reset_never_fails(client, data):
    fresh_example()
    status, _response = post_raw(client, "/en/accounts/password/reset/", fields_of(["email", "next"], data))
    assert status in (200, 302, 400, 429), status


@FEW
@given(data=form_data(["password", "next"], valid={"password": TEST_PASSWORD}))
def test_reauthentication_never_fails(client, data):
    fresh_example()
    client.force_login(factories.user())
    body = "&".join(f"{encoded(name)}={encoded(value)}" for name, value in fields_of(["password", "next"], data))
    response = client.post("/en/accounts/reauthenticate/", body, content_type="application/x-www-form-urlencoded")
    observe(f"status {response.status_code}")
    assert response.status_code in (200, 302, 400, 429), response.status_code
    if response.status_code == 302:  # only with the password, and never off the site
        assert last(data["password"]) == TEST_PASSWORD
        assert url_has_allowed_host_and_scheme(response["Location"], allowed_hosts={"testserver"}), response["Location"]


# --- The ends of the calendar -----------------------------------------------------------------

# Wall-clock times whose UTC equivalent falls outside Python's datetime range (year 1 east of
# Greenwich, year 9999 west of it) were a 500 (OverflowError in events.forms.in_zone); they are
# field errors now.
CALENDAR_EDGE_CASES = [  # (field, value, the event's time zone)
    ("start", "0001-01-01T00:00", "Europe/Paris"),
    ("start", "0001-01-01", "Asia/Tokyo"),
    ("end", "9999-12-31T23:59", "America/New_York"),
    ("registration_opens", "0001-01-01T00:00", "Europe/Paris"),
    ("registration_closes", "9999-12-31T20:00", "Pacific/Pago_Pago"),
]


@pytest.mark.parametrize("form", ["create", "edit"])
@pytest.mark.parametrize("field, value, zone", CALENDAR_EDGE_CASES)
def test_event_times_at_the_edges_of_the_calendar_are_refused(client, form, field, value, zone):
    person = factories.user()
    org = factories.organisation("FR", members=[person])
    client.force_login(person)
    path = "/en/organise/events/new/" if form == "create" else f"/en/organise/events/{factories.event(org).uid}/edit/"
    data = {**VALID_EVENT, "organisation": str(org.pk), "timezone": zone, field: value}
    response = client.post(path, data)
    assert response.status_code == 200  # the form again, with an error on the field
    assert field in response.context["form"].errors
