"""Coordinators translate their own country's CMS pages (and only those) with wagtail-localize;
translating never publishes untranslated copies of the parents (issue 18)."""

import pytest
from wagtail.models import Locale, Page

from campaigns.models import NationalPage
from contenttranslation.pages import parent_locales
from coordinators import permissions
from tests import factories

pytestmark = pytest.mark.django_db


def submit_url(page):
    return f"/admin/localize/submit/page/{page.pk}/"


def fresh(user):
    return type(user).objects.get(pk=user.pk)


def french_page():
    return NationalPage.objects.get(country="FR", locale__language_code="en")


@pytest.fixture
def parent_in_maltese(db):
    """The national pages' parent really translated into Maltese (as the EU team would first)."""
    maltese = Locale.objects.get(language_code="mt")
    parent = french_page().get_parent().specific
    if not parent.has_translation(maltese):
        copy = parent.copy_for_translation(maltese, copy_parents=True).specific
        copy.save_revision().publish()
    return maltese


def target_locales(page):
    """A locale the page's parent exists in and the page does not; one it does not exist in."""
    have = set(page.get_translations(inclusive=True).filter(alias_of__isnull=True).values_list("locale_id", flat=True))
    open_ = [locale for locale in parent_locales(page) if locale.pk not in have]
    closed = [locale for locale in Locale.objects.exclude(pk__in=parent_locales(page).values("pk"))
              if locale.pk not in have]
    return open_, closed


def test_coordinator_may_submit_own_countrys_page_not_another(client):
    coordinator = factories.coordinator("FR")
    german_page = NationalPage.objects.get(country="DE", locale__language_code="en")
    home = Page.objects.get(depth=2, locale__language_code="en")
    assert permissions.can_translate_page(coordinator, french_page())
    assert not permissions.can_translate_page(coordinator, german_page)
    assert not permissions.can_translate_page(coordinator, home)
    client.force_login(fresh(coordinator))
    assert client.get(submit_url(french_page())).status_code == 200
    assert client.get(submit_url(german_page)).status_code in (302, 403)
    assert client.get(submit_url(home)).status_code in (302, 403)


def test_a_coordinator_of_another_country_cannot_submit_by_post(client, parent_in_maltese):
    open_, _closed = target_locales(french_page())
    assert open_
    client.force_login(fresh(factories.coordinator("DE")))
    response = client.post(submit_url(french_page()), {"locales": [open_[0].pk]})
    assert response.status_code in (302, 403)
    assert not NationalPage.objects.filter(country="FR", locale=open_[0]).exists()


def test_coordinator_translates_into_a_language_of_the_parent_as_a_draft(client, parent_in_maltese):
    open_, _closed = target_locales(french_page())
    target = open_[0]
    client.force_login(fresh(factories.coordinator("FR")))
    pages_before = Page.objects.count()
    response = client.post(submit_url(french_page()), {"locales": [target.pk]})
    assert response.status_code == 302
    translated = NationalPage.objects.get(country="FR", locale=target)
    assert not translated.live  # the untranslated text is not published
    assert Page.objects.count() == pages_before + 1  # no copies of parents
    translated.save_revision().publish()
    assert client.get(translated.url).status_code == 200


def test_languages_the_parent_does_not_exist_in_are_not_offered(client, parent_in_maltese):
    open_, closed = target_locales(french_page())
    assert closed, "the demo has parents in every language: nothing to check"
    client.force_login(fresh(factories.coordinator("FR")))
    body = client.get(submit_url(french_page())).content.decode()
    assert f'value="{open_[0].pk}"' in body and f'value="{closed[0].pk}"' not in body
    aliases_before = Page.objects.filter(alias_of__isnull=False).count()
    response = client.post(submit_url(french_page()), {"locales": [closed[0].pk]})
    assert response.status_code == 200  # the form again, with its error
    assert not NationalPage.objects.filter(country="FR", locale=closed[0]).exists()
    assert Page.objects.filter(alias_of__isnull=False).count() == aliases_before  # no live English copies


def test_coverage_does_not_count_placeholders():
    from coordinators.selectors import page_coverage

    page = Page.objects.get(depth=2, locale__language_code="en").get_children().live().first()
    _open, closed = target_locales(page.get_children().first() or page)
    target = closed[0] if closed else Locale.objects.get(language_code="mt")
    if page.has_translation(target):
        pytest.skip("already translated")
    home = Page.objects.get(depth=2, locale__language_code="en")
    translated_home = home.get_translation_or_none(target) or home.copy_for_translation(target, alias=True)
    alias = page.copy_for_translation(target, alias=True) if translated_home else None
    assert alias.live and alias.alias_of_id
    admin = factories.user(is_superuser=True, is_staff=True)
    rows = {row.title: dict((code, state) for code, state, _pk in row.columns) for row in page_coverage(admin)}
    assert rows[page.title][target.language_code] == ""  # a placeholder is not a translation
