import re

import pytest
from django.conf import settings

from tests import factories

EU_LANGUAGES = "bg cs da de el en es et fi fr ga hr hu it lt lv mt nl pl pt ro sk sl sv".split()


def html_lang(response):
    match = re.search(r'<html lang="([a-z-]+)"', response.content.decode())
    return match.group(1) if match else None


def test_all_24_official_languages_are_configured():
    assert [code for code, _name in settings.LANGUAGES] == EU_LANGUAGES
    assert settings.WAGTAIL_I18N_ENABLED
    assert [code for code, _name in settings.WAGTAIL_CONTENT_LANGUAGES] == EU_LANGUAGES


@pytest.mark.django_db
@pytest.mark.parametrize("language", EU_LANGUAGES)
def test_every_language_has_a_home_page_with_matching_html_lang(client, language):
    response = client.get(f"/{language}/")
    assert response.status_code == 200
    assert html_lang(response) == language


@pytest.mark.django_db
@pytest.mark.parametrize(
    "header, expected",
    [
        ("de-DE,de;q=0.9,en;q=0.8", "/de/"),
        ("mt", "/mt/"),
        ("pt-BR", "/pt/"),
        ("ja,zh;q=0.5", "/en/"),
        (";;;q=zz,,,", "/en/"),
        ("de;q=abc, fr;q=0.1", "/en/"),  # Django drops a header it cannot parse
        ("x" * 5000, "/en/"),
        ("", "/en/"),
    ],
)
def test_root_redirects_by_accept_language(client, header, expected):
    response = client.get("/", HTTP_ACCEPT_LANGUAGE=header)
    assert response.status_code == 302
    assert response["Location"] == expected
    assert "Accept-Language" in response["Vary"]


@pytest.mark.django_db
def test_root_prefers_the_language_cookie(client):
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "sv"
    assert client.get("/", HTTP_ACCEPT_LANGUAGE="de")["Location"] == "/sv/"


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/xx/", "/zz/campaigns/", "/EN/", "/en-gb/", "/xx"])
def test_unknown_language_prefix_is_404(client, path):
    assert client.get(path).status_code == 404


@pytest.mark.django_db
def test_unprefixed_path_redirects_into_the_visitors_language(client):
    response = client.get("/campaigns/", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 302
    assert response["Location"] == "/fr/campaigns/"


@pytest.mark.django_db
def test_hreflang_alternates_list_existing_translations_only(client):
    body = client.get("/en/campaigns/pact-for-skills/").content.decode()
    alternates = dict(re.findall(r'<link rel="alternate" hreflang="([a-z]+)" href="([^"]+)"', body))
    assert set(alternates) == {"en", "fr", "de", "it", "es", "pl"}
    assert alternates["fr"].endswith("/fr/campaigns/pact-for-skills/")
    assert alternates["fr"].startswith("http://testserver/")


@pytest.mark.django_db
def test_language_switcher_goes_to_translation_or_that_languages_home(client):
    body = client.get("/en/campaigns/pact-for-skills/").content.decode()
    switcher = body[body.index('class="language-nav"') :]
    links = dict(re.findall(r'<a href="([^"]+)" hreflang="([a-z]+)"', switcher))
    by_language = {language: url for url, language in links.items()}
    assert len(by_language) == 24
    assert by_language["de"] == "/de/campaigns/pact-for-skills/"
    # No Maltese translation of this page: the switcher offers the Maltese home page.
    assert by_language["mt"] == "/mt/"
    assert client.get(by_language["mt"]).status_code == 200


@pytest.mark.django_db
def test_switcher_on_non_cms_pages_swaps_the_prefix(client):
    body = client.get("/de/accounts/login/").content.decode()
    assert 'href="/fr/accounts/login/" hreflang="fr"' in body
    assert html_lang(client.get("/de/accounts/login/")) == "de"


@pytest.mark.django_db
def test_untranslated_content_is_marked_with_its_own_language(client):
    """/mt/ falls back to the English home page: the interface is Maltese, the content English,
    and screen readers must know which is which."""
    body = client.get("/mt/").content.decode()
    assert '<html lang="mt"' in body
    assert 'lang="en"' in body[body.index('<main') :]


@pytest.mark.django_db
def test_the_switcher_works_each_address_out_once_and_keeps_no_secret(client, settings):
    """On views that are not CMS pages the switcher's addresses depend on the address and the
    active language alone: each process keeps them (bounded), except for addresses with a token."""
    from eyos.templatetags.eyos_i18n import _plain_alternates, _plain_menu, _translated_urls

    settings.EYOS_PAGE_CACHE = False  # every request draws its page
    for kept in (_translated_urls, _plain_alternates, _plain_menu):  # whatever earlier tests left
        kept.cache_clear()
    for _ in range(2):
        html = client.get("/en/events/?country=FR").content.decode()
        assert 'href="/de/events/?country=FR"' in html and 'href="/fr/events/?country=FR"' in html
    assert _translated_urls.cache_info().hits == 1 and _translated_urls.cache_info().currsize == 1
    french = client.get("/fr/events/?country=FR").content.decode()
    assert 'href="/en/events/?country=FR"' in french and _translated_urls.cache_info().currsize == 2
    event = factories.published_event(factories.organisation("FR"))
    assert 'href="/fr/events/' in client.get(f"/en/events/{event.uid}/").content.decode()
    assert _translated_urls.cache_info().currsize == 3  # an event's uid is no secret
    page = client.get("/en/organise/join/a-secret-token/")  # an invitation link's page, drawn
    assert page.status_code == 400 and 'href="/de/organise/join/a-secret-token/"' in page.content.decode()
    assert _translated_urls.cache_info().currsize == 3  # the address with the token was not kept


# The template loops the language tags replaced (eyos_i18n.language_alternates, language_menu),
# kept here as the reference their output must equal.
REFERENCE_LOOPS = (
    '{% load i18n eyos_i18n %}{% language_links as languages %}'
    '{% for link in languages %}{% if link.exists %}\n  <link rel="alternate" hreflang="{{ link.code }}" '
    'href="{% absolute link.url %}">{% endif %}{% endfor %}|'
    '{% for link in languages %}\n            <li><a href="{{ link.url }}" hreflang="{{ link.code }}" '
    'lang="{{ link.code }}"{% if link.current %} aria-current="true"{% endif %}>{{ link.name }}'
    '{% if not link.exists %} <span class="visually-hidden">({% translate "home page" %})</span>{% endif %}'
    '</a></li>{% endfor %}'
)


@pytest.mark.django_db
@pytest.mark.parametrize("path, language", [
    ("/en/campaigns/pact-for-skills/", "en"),  # a CMS page missing in some languages
    ("/mt/campaigns/pact-for-skills/", "mt"),  # … read in one of those (home page links, Maltese)
    ("/de/accounts/login/?next=/de/%26x%3C%3E", "de"),  # another view, a query to escape
])
def test_language_tags_write_what_the_template_loops_wrote(rf, path, language):
    from django.template import Context, Template
    from django.utils import translation

    from campaigns.models import CampaignPage

    request = rf.get(path)
    context = {"request": request}
    if "campaigns" in path:
        context["page"] = CampaignPage.objects.get(slug="pact-for-skills", locale__language_code="en")
    with translation.override(language):
        expected = Template(REFERENCE_LOOPS).render(Context(dict(context)))
        written = Template("{% load eyos_i18n %}{% language_alternates %}|{% language_menu %}").render(
            Context(dict(context)))
    assert written == expected
    assert written.count("<li>") == 24 and "hreflang" in written.split("|")[0]
    if language == "mt":
        assert 'lang="mt" aria-current="true"' in written and "visually-hidden" in written


@pytest.mark.django_db
def test_language_tags_are_written_once_per_address_language_and_origin(rf, settings):
    """On views that are not CMS pages the two tags are kept per path, query, language and origin
    (scheme and host): a hit writes what the reference loops write, another host gets its own
    absolute addresses, and an address with a secret is never kept."""
    from django.template import Context, Template
    from django.urls import resolve
    from django.utils import translation

    from eyos.templatetags.eyos_i18n import _plain_alternates, _plain_menu

    settings.ALLOWED_HOSTS = ["testserver", "other.example"]
    tags = Template("{% load eyos_i18n %}{% language_alternates %}|{% language_menu %}")
    _plain_alternates.cache_clear()
    _plain_menu.cache_clear()

    def both(path, **extra):
        request = rf.get(path, **extra)
        with translation.override(path.split("/")[1]):
            request.resolver_match = resolve(request.path)
            return (tags.render(Context({"request": request})),
                    Template(REFERENCE_LOOPS).render(Context({"request": request})))

    for query in ("?country=FR&q=a%26b", "?country=FR&q=a%26b", "?q=%C3%A9t%C3%A9+<x>&country=DE", ""):
        written, expected = both("/fr/events/" + query)
        assert written == expected
    # One entry for the path: each request's query is put in (and never kept).
    assert _plain_menu.cache_info().hits == 3 and _plain_alternates.cache_info().hits == 3
    assert _plain_menu.cache_info().currsize == 1
    written, expected = both("/fr/events/?country=FR&q=a%26b")
    assert 'href="http://testserver/de/events/?country=FR&amp;q=a%26b"' in written
    assert "a%26b" not in str(_plain_menu("/fr/events/", "fr", "http://testserver"))
    written, expected = both("/fr/events/?country=FR&q=a%26b", secure=True, HTTP_HOST="other.example")
    assert written == expected and 'href="https://other.example/de/events/' in written
    assert _plain_alternates.cache_info().currsize == 2
    written, expected = both("/en/events/?country=FR&q=a%26b")  # another language: its own
    assert written == expected and 'hreflang="en" lang="en" aria-current="true"' in written
    assert _plain_menu.cache_info().currsize == 3
    written, expected = both("/en/organise/join/a-secret-token/")
    assert written == expected and "a-secret-token" in written
    assert _plain_menu.cache_info().currsize == 3  # the address with the token was not kept
