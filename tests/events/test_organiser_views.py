"""Organisers on the public site: organisations, invitations, event forms, submission,
corrections and cancellation. Bad input gives a field error and saves nothing."""

import zoneinfo
from datetime import datetime, timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, Organisation, Topic
from tests import factories

pytestmark = pytest.mark.django_db
S = Event.Status


@pytest.fixture
def organiser(db):
    person = factories.user("org-member@example.org", language="fr")
    factories.organisation("FR", members=[person], name="Ateliers Lyon")
    return person


def future(days=30, hour=10):
    return (timezone.now() + timedelta(days=days)).strftime(f"%Y-%m-%dT{hour:02d}:00")


def valid_event(org, **overrides):
    data = {
        "organisation": org.pk,
        "title": "Atelier compétences numériques",
        "summary": "Découvrir les outils numériques.",
        "description": "<p>Un atelier <b>pratique</b>.</p>",
        "language": "fr",
        "target_audience": "everyone",
        "format": "onsite",
        "venue": "Maison des compétences",
        "address": "1 rue de la République",
        "city": "Lyon",
        "postcode": "69001",
        "start": future(hour=10),
        "end": future(hour=12),
        "timezone": "Europe/Paris",
        "registration_mode": "platform",
        "capacity": "25",
    }
    data.update(overrides)
    return {key: value for key, value in data.items() if value is not None}


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/en/organise/events/new/")
    assert response.status_code == 302 and "/en/accounts/login/" in response["Location"]


def test_create_an_organisation_and_become_its_member(client):
    person = factories.user()
    client.force_login(person)
    response = client.post("/en/organise/organisations/new/", {"name": "  Skills  Hub ", "country": "AT", "website": ""})
    organisation = Organisation.objects.get(name="Skills Hub")
    assert response.status_code == 302 and organisation.slug in response["Location"]
    assert organisation.country.code == "AT" and list(organisation.members.all()) == [person]
    assert not organisation.verified


def test_an_organisation_needs_a_participating_country(client):
    client.force_login(factories.user())
    before = Organisation.objects.count()
    response = client.post("/en/organise/organisations/new/", {"name": "Elsewhere", "country": "US"})
    assert response.status_code == 200 and response.context["form"].errors["country"]
    assert Organisation.objects.count() == before


def test_invitation_link_joins_and_renewal_revokes_it(client, organiser):
    organisation = organiser.organisations.get()
    client.force_login(organiser)
    page = client.get(f"/en/organise/organisations/{organisation.slug}/")
    invite_url = page.context["invite_url"]
    path = invite_url.removeprefix("http://testserver")

    colleague = factories.user()
    client.force_login(colleague)
    assert client.get(path, follow=True).status_code == 200  # confirmation page first, nothing joined yet
    assert not organisation.members.filter(pk=colleague.pk).exists()
    client.post(path)
    assert organisation.members.filter(pk=colleague.pk).exists()

    client.force_login(organiser)
    client.post(f"/en/organise/organisations/{organisation.slug}/renew-invitation/")
    latecomer = factories.user()
    client.force_login(latecomer)
    response = client.post(path)
    assert response.status_code == 400 and "does not work" in response.content.decode()
    assert not organisation.members.filter(pk=latecomer.pk).exists()


def test_a_tampered_invitation_gives_a_clear_page(client, organiser):
    client.force_login(factories.user())
    response = client.post("/en/organise/join/not-a-real-token/")
    assert response.status_code == 400
    assert "does not work" in response.content.decode()


def test_create_a_draft_in_the_events_time_zone(client, organiser):
    organisation = organiser.organisations.get()
    topic = Topic.objects.get(slug="digital-skills", locale__language_code="en")
    client.force_login(organiser)
    start = (timezone.now() + timedelta(days=40)).replace(hour=10, minute=0, second=0, microsecond=0)
    response = client.post("/en/organise/events/new/", valid_event(
        organisation, start=start.strftime("%Y-%m-%dT10:00"), end=start.strftime("%Y-%m-%dT12:00"),
        timezone="Europe/Helsinki", topics=[topic.pk],
    ))
    event = Event.objects.get(title="Atelier compétences numériques")
    assert response.status_code == 302 and str(event.uid) in response["Location"]
    assert event.status == S.DRAFT and event.organisation == organisation and event.country.code == "FR"
    local = event.start.astimezone(zoneinfo.ZoneInfo("Europe/Helsinki"))
    assert (local.hour, local.minute) == (10, 0)
    assert list(event.topics.all()) == [topic]
    assert event.capacity == 25 and event.created_by == organiser


def test_topics_are_offered_in_the_visitors_language_and_stored_in_the_original(client, organiser):
    from wagtail.models import Locale

    english = Topic.objects.get(slug="green-skills", locale__language_code="en")
    french = Topic.objects.filter(translation_key=english.translation_key, locale__language_code="fr").first()
    if french is None:  # the demo seed translates topics into its page languages
        french = english.copy_for_translation(Locale.objects.get(language_code="fr"))
    french.name = "Compétences vertes"
    french.save()
    client.force_login(organiser)
    form = client.get("/fr/organise/events/new/").context["form"]
    assert "Compétences vertes" in [topic.name for topic in form.fields["topics"].queryset]
    client.post("/fr/organise/events/new/", valid_event(organiser.organisations.get(), topics=[french.pk]))
    assert list(Event.objects.get(title="Atelier compétences numériques").topics.all()) == [english]


BAD_INPUT = {
    "end before start": ({"start": future(hour=12), "end": future(hour=10)}, "end"),
    "end equals start": ({"start": future(hour=12), "end": future(hour=12)}, "end"),
    "start in the past": ({"start": future(days=-3, hour=10), "end": future(days=-3, hour=12)}, "start"),
    "unknown time zone": ({"timezone": "Mars/Olympus_Mons"}, "timezone"),
    "online without a link": ({"format": "online", "address": "", "city": ""}, "online_url"),
    "hybrid without a link": ({"format": "hybrid"}, "online_url"),
    "on site without an address": ({"address": "", "city": ""}, "address"),
    "not a link": ({"format": "online", "online_url": "javascript:alert(1)"}, "online_url"),
    "capacity zero": ({"capacity": "0"}, "capacity"),
    "capacity negative": ({"capacity": "-5"}, "capacity"),
    "capacity absurd": ({"capacity": "1000000000"}, "capacity"),
    "capacity not a number": ({"capacity": "lots"}, "capacity"),
    "capacity without registration here": ({"registration_mode": "none", "capacity": "10"}, "capacity"),
    "external registration without a link": ({"registration_mode": "external", "capacity": None}, "external_registration_url"),
    "registration closes after the end": ({"registration_closes": future(days=31)}, "registration_closes"),
    "missing title": ({"title": "   "}, "title"),
    "title too long": ({"title": "x" * 201}, "title"),
    "description too long": ({"description": "x" * 20_001}, "description"),
    "not a date": ({"start": "tomorrow-ish"}, "start"),
    "another organisation": ({"organisation": "999999"}, "organisation"),
}


@pytest.mark.parametrize("overrides, field", BAD_INPUT.values(), ids=BAD_INPUT.keys())
def test_bad_input_gives_a_field_error_and_saves_nothing(client, organiser, overrides, field):
    client.force_login(organiser)
    before = Event.objects.count()
    response = client.post("/en/organise/events/new/", valid_event(organiser.organisations.get(), **overrides))
    assert response.status_code == 200
    assert field in response.context["form"].errors, response.context["form"].errors
    assert 'role="alert"' in response.content.decode()
    assert Event.objects.count() == before


def test_errors_are_in_the_users_language(client, organiser):
    client.force_login(organiser)
    response = client.post("/fr/organise/events/new/", valid_event(
        organiser.organisations.get(), start=future(hour=12), end=future(hour=10)))
    assert "La fin doit" in str(response.context["form"].errors["end"])


def test_rich_text_is_sanitised(client, organiser):
    client.force_login(organiser)
    client.post("/en/organise/events/new/", valid_event(organiser.organisations.get(), description=(
        '<p onclick="steal()">Hello <script>alert(1)</script><a href="javascript:alert(1)">x</a>'
        '<a href="https://example.org/">ok</a></p><img src=x onerror=alert(1)><iframe src="https://evil"></iframe>'
    )))
    description = Event.objects.get(title="Atelier compétences numériques").description
    for bad in ("script", "onclick", "javascript:", "<img", "onerror", "iframe"):
        assert bad not in description
    assert '<a href="https://example.org/"' in description and "Hello" in description


def test_an_organiser_of_another_organisation_cannot_pick_it(client, organiser):
    other = factories.organisation("FR")
    client.force_login(organiser)
    before = Event.objects.count()
    response = client.post("/en/organise/events/new/", valid_event(other))
    assert "organisation" in response.context["form"].errors
    assert Event.objects.count() == before


def test_someone_without_an_organisation_is_told_to_create_one(client):
    client.force_login(factories.user())
    response = client.get("/en/organise/events/new/", follow=True)
    assert "Create or join an organisation first" in response.content.decode()


def test_submit_fix_and_resubmit_after_changes_requested(client, organiser, django_capture_on_commit_callbacks):
    from events import services

    event = factories.event(organiser.organisations.get())
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/organise/events/{event.uid}/submit/")
    event.refresh_from_db()
    assert event.status == S.SUBMITTED
    assert any("coordinator-fr@example.org" in m.to for m in mail.outbox)

    coordinator = factories.coordinator("FR")
    services.event_request_changes(user=coordinator, event=event, comment="Précisez la salle, s'il vous plaît.")
    dashboard = client.get("/en/organise/").content.decode()
    assert "The coordinator asks for changes." in dashboard
    page = client.get(f"/en/organise/events/{event.uid}/edit/")
    assert "Précisez la salle" in page.content.decode()

    edit = valid_event(event.organisation, title="Atelier corrigé", venue="Salle 2")
    edit.pop("organisation")
    response = client.post(f"/en/organise/events/{event.uid}/edit/", edit)
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.title == "Atelier corrigé" and event.venue == "Salle 2" and event.status == S.CHANGES_REQUESTED
    client.post(f"/en/organise/events/{event.uid}/submit/")
    event.refresh_from_db()
    assert event.status == S.SUBMITTED


def test_editing_keeps_the_start_when_it_is_in_the_past_and_unchanged(client, organiser):
    # An old draft whose start has passed can still be corrected elsewhere without moving it.
    event = factories.event(organiser.organisations.get(), days=-2)
    client.force_login(organiser)
    form = client.get(f"/en/organise/events/{event.uid}/edit/").context["form"]
    data = {name: form[name].value() for name in form.fields if form[name].value() not in (None, False)}
    data["start"] = form["start"].value().strftime("%Y-%m-%dT%H:%M")
    data["end"] = form["end"].value().strftime("%Y-%m-%dT%H:%M")
    data["summary"] = "Corrected summary"
    data["topics"] = []
    response = client.post(f"/en/organise/events/{event.uid}/edit/", data)
    assert response.status_code == 302, response.context["form"].errors
    refreshed = Event.objects.get(pk=event.pk)
    assert refreshed.summary == "Corrected summary" and refreshed.start == event.start
    assert refreshed.sequence == event.sequence


def test_a_published_event_cannot_be_edited_by_its_organiser(client, organiser):
    event = factories.event(organiser.organisations.get(), status=S.PUBLISHED)
    client.force_login(organiser)
    response = client.post(f"/en/organise/events/{event.uid}/edit/", valid_event(event.organisation, title="Changed"))
    assert response.status_code == 302
    assert Event.objects.get(pk=event.pk).title == event.title


def test_cancel_a_published_event_with_a_message(client, organiser):
    event = factories.event(organiser.organisations.get(), status=S.PUBLISHED)
    client.force_login(organiser)
    assert client.get(f"/en/organise/events/{event.uid}/cancel/").status_code == 200
    response = client.post(f"/en/organise/events/{event.uid}/cancel/", {"message": ""})
    assert response.context["form"].errors["message"]
    assert Event.objects.get(pk=event.pk).status == S.PUBLISHED
    client.post(f"/en/organise/events/{event.uid}/cancel/", {"message": "La salle est fermée."})
    event.refresh_from_db()
    assert event.status == S.CANCELLED and event.cancellation_message == "La salle est fermée."


def test_dashboard_shows_the_status_of_each_own_event_only(client, organiser):
    mine = factories.event(organiser.organisations.get(), status=S.REJECTED, rejection_reason="commercial")
    theirs = factories.event(factories.organisation("FR"))
    client.force_login(organiser)
    page = client.get("/en/organise/").content.decode()
    assert mine.title in page and "Rejected" in page
    assert theirs.title not in page
    detail = client.get(f"/en/organise/events/{mine.uid}/").content.decode()
    assert "Purely commercial" in detail


def test_forms_are_accessible(client, organiser):
    client.force_login(organiser)
    html = client.post("/en/organise/events/new/", valid_event(organiser.organisations.get(), title="")).content.decode()
    assert '<label for="id_title"' in html
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_title_error"' in html or 'id_title_error' in html
    assert 'href="#id_title"' in html  # the error summary links to the field


@pytest.mark.parametrize("zone, local, valid", [
    ("Europe/Helsinki", "2030-03-31T02:30", True),   # a gap in Brussels (the server's zone), not in Helsinki
    ("Europe/Lisbon", "2030-03-31T01:30", False),    # Lisbon's clocks skip 01:00-02:00 that night
    ("Europe/Paris", "2030-10-27T02:30", True),      # the repeated hour: the first one is taken
])
def test_times_are_read_in_the_events_zone_around_clock_changes(client, organiser, zone, local, valid):
    client.force_login(organiser)
    end = local[:11] + "05:00"
    response = client.post("/en/organise/events/new/", valid_event(
        organiser.organisations.get(), timezone=zone, start=local, end=end))
    if valid:
        assert response.status_code == 302, response.context["form"].errors
        event = Event.objects.get(title="Atelier compétences numériques")
        assert event.start.astimezone(zoneinfo.ZoneInfo(zone)).strftime("%Y-%m-%dT%H:%M") == local
    else:
        assert "does not exist" in str(response.context["form"].errors["start"])
        assert not Event.objects.filter(title="Atelier compétences numériques").exists()


def test_organiser_posts_are_rate_limited_per_account(client, organiser, settings):
    from django.core.cache import cache

    cache.clear()
    settings.EYOS_ORGANISER_RATE = (2, 3600)
    client.force_login(organiser)
    codes = [client.post("/en/organise/organisations/new/", {"name": f"Org {n}", "country": "FR"}).status_code
             for n in range(3)]
    assert codes[:2] == [302, 302] and codes[2] == 429
    assert client.get("/en/organise/events/new/").status_code == 200  # reading is not limited
    client.force_login(factories.user())  # another account has its own allowance
    assert client.post("/en/organise/organisations/new/", {"name": "Other", "country": "FR"}).status_code == 302


def test_organiser_forms_have_a_honeypot_that_saves_nothing_when_filled(client, organiser):
    """Each organiser form carries a hidden, unreachable field; filled in, the form explains why it
    saved nothing. Empty, the same post goes through."""
    client.force_login(organiser)
    org = organiser.organisations.get()
    page = client.get("/en/organise/events/new/").content.decode()
    assert 'name="homepage"' in page and 'tabindex="-1"' in page and 'class="hp" aria-hidden="true"' in page
    response = client.post("/en/organise/events/new/", valid_event(org, homepage="http://spam.example"))
    assert response.status_code == 200 and "filled in automatically" in response.content.decode()
    assert not Event.objects.filter(organisation=org).exists()
    response = client.post("/en/organise/organisations/new/", {"name": "Bot Org", "country": "FR",
                                                               "homepage": "x"})
    assert response.status_code == 200 and not Organisation.objects.filter(name="Bot Org").exists()
    event = factories.published_event(org)
    response = client.post(f"/en/organise/events/{event.uid}/cancel/", {"message": "Closed.", "homepage": "x"})
    event.refresh_from_db()
    assert response.status_code == 200 and event.status == S.PUBLISHED
    assert client.post("/en/organise/events/new/", valid_event(org, homepage="")).status_code == 302
    assert Event.objects.filter(organisation=org).count() == 2


def test_the_event_form_guesses_the_time_zone_and_capitalises_its_labels(client, organiser):
    client.force_login(organiser)
    form = client.get("/en/organise/events/new/").context["form"]
    assert form["timezone"].value() == "Europe/Paris"  # the organisation is in France
    assert str(form.fields["start"].label) == "Start" and str(form.fields["organisation"].label) == "Organisation"
    page = client.get("/fr/organise/events/new/").content.decode()
    assert '<option value="Europe/Paris" selected>' in page


def test_the_event_forms_answer_only_get_and_post(client, organiser):
    """The organisers' and the coordinators' create/edit/cancel pages share one flow
    (events.views.editing): GET shows the form, POST saves, any other method is refused."""
    org = organiser.organisations.get()
    draft = factories.event(org)
    published = factories.event(org, status=S.PUBLISHED)
    client.force_login(organiser)
    for url in ("/fr/organise/events/new/", f"/fr/organise/events/{draft.uid}/edit/",
                f"/fr/organise/events/{draft.uid}/cancel/"):
        assert client.get(url).status_code == 200
        assert client.put(url).status_code == 405 and client.delete(url).status_code == 405
    client.force_login(factories.coordinator("FR"))
    for url in ("/admin/coordinators/events/new/", f"/admin/coordinators/events/{published.uid}/edit/",
                f"/admin/coordinators/events/{published.uid}/cancel/"):
        assert client.get(url).status_code == 200
        assert client.put(url).status_code == 405
