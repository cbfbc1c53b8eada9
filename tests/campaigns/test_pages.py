import re
from urllib.parse import urlparse

import pytest
from django.core.exceptions import ValidationError
from wagtail.blocks import StreamBlockValidationError, StructBlockValidationError
from wagtail.models import Locale

from campaigns.blocks import CampaignStreamBlock, ImageBlock
from campaigns.models import CampaignIndexPage, CampaignPage, HomePage, NationalPage

pytestmark = pytest.mark.django_db


def test_demo_tree_has_every_page_type_and_a_national_page_per_country(settings):
    english = Locale.objects.get(language_code="en")
    assert HomePage.objects.filter(locale=english).count() == 1
    assert CampaignIndexPage.objects.filter(locale=english).count() == 2
    assert CampaignPage.objects.filter(locale=english).count() >= 4
    codes = set(NationalPage.objects.filter(locale=english).values_list("country", flat=True))
    assert codes == set(settings.EYOS_COUNTRIES)


@pytest.mark.parametrize("language", ["en", "fr", "de", "it", "es", "pl"])
def test_campaign_pages_are_translated_into_six_languages(client, language):
    response = client.get(f"/{language}/campaigns/pact-for-skills/")
    assert response.status_code == 200
    page = response.context["page"]
    assert page.locale.language_code == language


def test_national_page_titles_are_country_names_in_the_page_language(client):
    assert client.get("/de/countries/fr/").context["page"].title == "Frankreich"
    assert client.get("/en/countries/de/").context["page"].title == "Germany"


def test_pages_render_every_block_type(client):
    body = client.get("/en/").content.decode()
    assert 'class="block block-objectives"' in body
    assert 'class="block block-call_to_action"' in body
    assert 'class="block block-upcoming_events"' in body
    # Editors write "/events/"; visitors stay in their language.
    assert 'href="/en/events/"' in body


def test_upcoming_events_block_shows_an_empty_state_without_events(client):
    from events.models import Event

    Event.objects.filter(country="LI").delete()
    body = client.get("/en/countries/li/").content.decode()
    assert "No upcoming events yet" in body


def test_upcoming_events_block_lists_only_published_future_events_of_its_country(client):
    from events.models import Event
    from tests import factories

    Event.objects.filter(country__in=["LI", "IS"]).delete()
    org = factories.organisation("LI")
    shown = factories.event(org, status=Event.Status.PUBLISHED, title="Vaduz skills day", language="de")
    factories.event(org, status=Event.Status.SUBMITTED, title="Waiting for review")
    factories.event(org, status=Event.Status.PUBLISHED, title="Long gone", days=-30)
    factories.event(factories.organisation("IS"), status=Event.Status.PUBLISHED, title="Reykjavik day")
    body = client.get("/en/countries/li/").content.decode()
    assert "Vaduz skills day" in body
    assert 'lang="de"' in body
    for hidden in ("Waiting for review", "Long gone", "Reykjavik day", "No upcoming events yet"):
        assert hidden not in body
    assert shown.get_status_display()


def test_image_block_requires_alt_text():
    block = ImageBlock()
    with pytest.raises(StructBlockValidationError) as error:
        block.clean({"image": None, "alt_text": "", "caption": ""})
    assert "alt_text" in error.value.block_errors


def test_stream_block_rejects_unknown_block_types():
    stream = CampaignStreamBlock()
    value = stream.to_python([{"type": "heading", "value": {"text": "Hi", "level": "h2"}}])
    assert stream.clean(value)
    with pytest.raises((StreamBlockValidationError, ValidationError)):
        stream.clean(stream.to_python([{"type": "heading", "value": {"text": "", "level": "h2"}}]))


def test_national_page_is_unique_per_country_and_language():
    existing = NationalPage.objects.get(locale__language_code="en", country="FR")
    duplicate = NationalPage(title="France again", slug="fr-2", country="FR", locale=existing.locale)
    duplicate.path, duplicate.depth = existing.path + "9999", existing.depth  # unsaved: clean only
    with pytest.raises(ValidationError) as error:
        duplicate.clean()
    assert "country" in error.value.message_dict


def test_national_page_rejects_a_country_outside_the_year():
    page = NationalPage(title="USA", slug="us", country="US", locale=Locale.get_default())
    with pytest.raises(ValidationError) as error:
        page.clean()
    assert "country" in error.value.message_dict


@pytest.mark.parametrize("language", ["en", "fr", "mt"])
def test_no_page_reachable_from_the_home_page_fails(client, language):
    """Follow every internal link two levels deep: nothing may answer 5xx."""
    seen, frontier = set(), [f"/{language}/"]
    for _depth in range(2):
        next_frontier = []
        for path in frontier:
            if path in seen:
                continue
            seen.add(path)
            response = client.get(path)
            assert response.status_code < 500, path
            if response.status_code == 200 and "text/html" in response["Content-Type"]:
                for href in re.findall(r'href="([^"#]+)"', response.content.decode()):
                    parsed = urlparse(href)
                    if not parsed.netloc and href.startswith("/") and not href.startswith("/static/"):
                        next_frontier.append(parsed.path)
        frontier = next_frontier
    assert len(seen) > 10


def test_the_privacy_notice_is_a_translated_cms_page_linked_from_every_page(client, db):
    from campaigns.models import PrivacyPage

    languages = set(PrivacyPage.objects.live().values_list("locale__language_code", flat=True))
    assert {"en", "fr", "de", "it", "es", "pl"} <= languages
    french = PrivacyPage.objects.get(locale__language_code="fr")
    assert client.get(french.url).status_code == 200
    assert f'href="{french.url}"' in client.get("/fr/events/").content.decode()
    # No Maltese notice yet: the English one, shown under /mt/ (the visitor stays on Maltese pages).
    assert 'href="/mt/privacy/"' in client.get("/mt/").content.decode()
    assert client.get("/mt/privacy/").status_code == 200


def test_a_privacy_notice_moved_in_the_cms_is_linked_at_its_new_address_at_once(client, db, settings):
    """The footer's link is kept until the CMS changes (it was kept 5 minutes whatever changed)."""
    from campaigns.models import PrivacyPage

    settings.EYOS_PAGE_CACHE = False  # the footer itself, not the page cache, is what is tested
    french = PrivacyPage.objects.get(locale__language_code="fr")
    assert f'href="{french.url}"' in client.get("/fr/events/").content.decode()
    french.slug = "confidentialite"
    french.save_revision().publish()
    body = client.get("/fr/events/").content.decode()
    assert 'href="/fr/confidentialite/"' in body and 'href="/fr/privacy/"' not in body


def test_links_to_untranslated_pages_keep_the_visitors_language(client, db):
    """Maltese has no page tree of its own: its pages show the English text under /mt/. Links on
    them (cards, breadcrumbs, the privacy notice) stay under /mt/ instead of switching to /en/."""
    import re

    home = client.get("/mt/").content.decode()
    # Except the "not yet translated" notice's links, which go to the languages the page exists in.
    home = re.sub(r'<div class="translation-notice" role="note">.*?</div>', "", home, count=1, flags=re.S)
    links = re.findall(r'href="(/[a-z]{2}/[^"]*)"', home.split("<main", 1)[1])
    assert links and all(link.startswith("/mt/") for link in links), links
    campaign = client.get("/mt/campaigns/pact-for-skills/").content.decode()
    crumbs = re.findall(r'href="(/[a-z]{2}/[^"]*)"', campaign.split('class="breadcrumbs"', 1)[1].split("</nav>", 1)[0])
    assert crumbs == ["/mt/campaigns/"]
    assert 'href="/mt/privacy/"' in campaign
    for link in links[:5] + crumbs + ["/mt/privacy/"]:
        assert client.get(link).status_code == 200, link
    # Languages with their own pages link to those.
    assert 'href="/fr/campaigns/' in client.get("/fr/").content.decode()


def under_way_world():
    from datetime import timedelta

    from django.utils import timezone

    from events.models import Event
    from tests import factories

    Event.objects.filter(country="LI").delete()
    org = factories.organisation("LI")
    now = timezone.now().replace(microsecond=0)

    def make(title, start, end, status=Event.Status.PUBLISHED):
        return factories.event(org, status=status, title=title, start=now + start, end=now + end)

    events = {
        "course": make("Three-month course", timedelta(days=-60), timedelta(days=30)),  # under way since long
        "today": make("Started an hour ago", timedelta(hours=-1), timedelta(hours=1)),
        "soon": make("Starts tomorrow", timedelta(days=1), timedelta(days=1, hours=2)),
        "later": make("Starts next week", timedelta(days=7), timedelta(days=7, hours=2)),
        "ended": make("Ended an hour ago", timedelta(hours=-3), timedelta(hours=-1)),
        "draft": make("A draft under way", timedelta(hours=-1), timedelta(hours=1), Event.Status.DRAFT),
    }
    for n in range(30):  # past events before everything: what the start index walked through
        make(f"Past {n}", timedelta(days=-90 - n), timedelta(days=-90 - n, hours=2))
    return now, events


def test_upcoming_events_are_those_under_way_then_those_to_come_by_start(db, django_assert_num_queries):
    from django.db import connection

    from events import selectors

    now, events = under_way_world()
    # One statement on PostgreSQL (both parts in a UNION ALL), two queries on SQLite; the
    # organisers come with them.
    with django_assert_num_queries(1 if connection.vendor == "postgresql" else 2):
        upcoming = selectors.upcoming_events(country="LI", limit=3, now=now)
        assert {event.organisation.name for event in upcoming} == {events["today"].organisation.name}
    titles = [event.title for event in upcoming]
    assert titles == ["Three-month course", "Started an hour ago", "Starts tomorrow"]
    titles = [event.title for event in selectors.upcoming_events(country="LI", limit=12, now=now)]
    assert titles == ["Three-month course", "Started an hour ago", "Starts tomorrow", "Starts next week"]
    # An event starting at this very moment is counted once.
    exact = selectors.upcoming_events(country="LI", limit=12, now=events["soon"].start)
    assert [event.title for event in exact] == ["Three-month course", "Starts tomorrow", "Starts next week"]


@pytest.mark.pg
def test_events_under_way_are_found_through_their_gist_index(db):
    """The query must match the index's expression (events.migrations.0012), or PostgreSQL walks
    every past event again. With sequential scans discouraged the plan names the index."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events import selectors
    from events.models import Event

    now, _events = under_way_world()
    query = selectors.under_way(Event.objects.filter(status=Event.Status.PUBLISHED), now)[:3]
    sql, params = query.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    # The index searched with the range (not merely read whole for its WHERE status = 'published').
    assert "event_under_way_idx" in plan and "Index Cond: (tstzrange(start" in plan, plan
    assert [event.title for event in query] == ["Three-month course", "Started an hour ago"]
    # And inside the one statement upcoming_events sends (the under-way part of its UNION ALL).
    with CaptureQueriesContext(connection) as captured:
        selectors.upcoming_events(country="LI", limit=3, now=now)
    (statement,) = captured.captured_queries
    with connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("EXPLAIN " + statement["sql"])
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "UNION ALL" in statement["sql"] and "event_under_way_idx" in plan, plan
