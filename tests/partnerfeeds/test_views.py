"""The coordinators' feed screens: register (read at once), see the last result and problems,
change, read now, remove; another country's feeds and organisations are out of reach."""

import pytest
from django.urls import reverse
from wagtail.models import ModelLogEntry

from events.models import Event
from partnerfeeds.models import PartnerFeed
from tests import factories

from .conftest import make_feed
from .test_sync import calendar, serve, vevent

pytestmark = pytest.mark.django_db


def form_data(org, address, **overrides):
    data = {"name": "Plateforme", "url": address, "country": org.country.code,
            "organisation": org.pk, "language": "fr", "trust": "review", "active": "on"}
    data.update(overrides)
    return data


def test_a_coordinator_registers_a_feed_that_is_read_at_once(client, feed_server, fr, topics):
    coordinator, organisation = fr
    client.force_login(coordinator)
    page = client.get(reverse("coordinators:feed_create"))
    assert page.status_code == 200
    response = client.post(reverse("coordinators:feed_create"),
                           form_data(organisation, serve(feed_server, calendar(vevent("v1@p"), vevent("v2@p")))))
    feed = PartnerFeed.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("coordinators:feed", args=[feed.pk])
    assert feed.owner == coordinator and feed.last_outcome == "ok"
    assert Event.objects.filter(organisation=organisation, status="submitted").count() == 2
    assert ModelLogEntry.objects.filter(action="wagtail.create", content_type__model="partnerfeed").count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "2 new events" in detail and "Read the feed now" in detail
    listing = client.get(reverse("coordinators:feeds")).content.decode()
    assert "Plateforme" in listing and "Reviewed" in listing
    # The review page names the source.
    event = Event.objects.filter(organisation=organisation).first()
    review = client.get(reverse("coordinators:review", args=[event.uid])).content.decode()
    assert "Imported from Plateforme" in review and event.feed_source.source_uid in review


def test_problems_are_listed_on_the_feed_page(client, feed_server, fr, topics):
    coordinator, organisation = fr
    body = calendar(vevent("good@p"), "BEGIN:VEVENT\r\nUID:nostart@p\r\nSUMMARY:x\r\nEND:VEVENT\r\n")
    feed = make_feed(coordinator, organisation, serve(feed_server, body))
    client.force_login(coordinator)
    client.post(reverse("coordinators:feed_fetch", args=[feed.pk]))
    page = client.get(reverse("coordinators:feed", args=[feed.pk])).content.decode()
    assert "nostart@p" in page and "The event has no start." in page and "1 event could not be used" in page


@pytest.mark.parametrize("overrides, field, message", [
    ({"url": "ftp://example.org/x"}, "url", ""),
    ({"url": "http://127.0.0.1/feed.ics"}, "url", "private or local"),
    ({"url": "http://[::1]/feed.ics"}, "url", "private or local"),
    ({"country": "DE"}, "country", ""),
])
def test_bad_settings_are_refused_with_a_message(client, fr, overrides, field, message):
    coordinator, organisation = fr
    client.force_login(coordinator)
    response = client.post(reverse("coordinators:feed_create"),
                           form_data(organisation, "https://plateforme.example.fr/f.ics", **overrides))
    assert response.status_code == 400 and field in response.context["form"].errors
    assert message in str(response.context["form"].errors[field])
    assert not PartnerFeed.objects.exists()


def test_an_organisation_of_another_country_cannot_be_picked(client, fr, db):
    coordinator, organisation = fr
    german = factories.organisation("DE")
    eu = factories.user(is_superuser=True, is_staff=True)
    client.force_login(eu)  # the EU team sees every organisation, but a feed's must be of its country
    response = client.post(reverse("coordinators:feed_create"),
                           form_data(organisation, "https://p.example.fr/f.ics", organisation=german.pk))
    assert response.status_code == 400 and "organisation" in response.context["form"].errors
    client.force_login(coordinator)
    response = client.post(reverse("coordinators:feed_create"),
                           form_data(organisation, "https://p.example.fr/f.ics", organisation=german.pk))
    assert response.status_code == 400 and "organisation" in response.context["form"].errors


def test_saving_takes_over_a_feed_and_removing_keeps_its_events(client, feed_server, fr, topics):
    coordinator, organisation = fr
    feed = make_feed(coordinator, organisation, serve(feed_server, calendar(vevent("k1@p"))))
    client.force_login(coordinator)
    client.post(reverse("coordinators:feed_fetch", args=[feed.pk]))
    colleague = factories.coordinator("FR")
    client.force_login(colleague)
    response = client.post(reverse("coordinators:feed", args=[feed.pk]),
                           form_data(organisation, feed.url, name="Renamed", trust="trusted"))
    assert response.status_code == 302
    feed.refresh_from_db()
    assert (feed.name, feed.owner, feed.trust) == ("Renamed", colleague, "trusted")
    response = client.post(reverse("coordinators:feed_delete", args=[feed.pk]))
    assert response.status_code == 302 and not PartnerFeed.objects.exists()
    assert Event.objects.filter(organisation=organisation).count() == 1


def test_a_paused_feed_is_not_read(client, feed_server, fr):
    coordinator, organisation = fr
    feed = make_feed(coordinator, organisation, serve(feed_server, calendar(vevent("p1@p"))), active=False)
    client.force_login(coordinator)
    client.post(reverse("coordinators:feed_fetch", args=[feed.pk]))
    assert feed_server.requests == []
    feed.refresh_from_db()
    assert feed.last_fetched_at is None


def test_coordinators_see_only_their_countries_feeds(client, fr):
    coordinator, organisation = fr
    german = factories.organisation("DE")
    make_feed(factories.coordinator("DE"), german, "https://de.example/f.ics", name="Deutsche Plattform")
    client.force_login(coordinator)
    page = client.get(reverse("coordinators:feeds")).content.decode()
    assert "Deutsche Plattform" not in page and "No feeds yet" in page
