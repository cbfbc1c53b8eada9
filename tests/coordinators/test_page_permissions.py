"""Coordinators get Wagtail page permissions on their country's NationalPage subtree (every
locale), kept in sync when assignments or national pages change."""

import pytest
from wagtail.models import Page

from campaigns.models import NationalPage
from coordinators.models import CoordinatorAssignment
from tests import factories

pytestmark = pytest.mark.django_db


def can_edit(user, page):
    return page.permissions_for_user(user).can_edit()


def test_coordinators_edit_their_countrys_national_pages_only(users):
    fr_pages = list(NationalPage.objects.filter(country="FR"))
    de_pages = list(NationalPage.objects.filter(country="DE"))
    assert fr_pages and de_pages
    for page in fr_pages:
        assert can_edit(users["coordinator-fr"], page)
        assert not can_edit(users["coordinator-de"], page)

    for page in de_pages:
        assert can_edit(users["coordinator-de"], page)
    home = Page.objects.get(depth=2, locale__language_code="en")
    assert not can_edit(users["coordinator-fr"], home)


def test_assignment_changes_grant_and_revoke(users):
    person = factories.user(is_staff=True)
    page = NationalPage.objects.filter(country="DE").first()
    assert not can_edit(person, page)
    assignment = CoordinatorAssignment.objects.create(user=person, country="DE")
    person = type(person).objects.get(pk=person.pk)  # fresh permission caches
    assert can_edit(person, page)
    assignment.country = "AT"
    assignment.save()
    person = type(person).objects.get(pk=person.pk)
    assert not can_edit(person, page)
    assignment.delete()
    assert not person.groups.filter(name__startswith="National coordinators ").exists()


def test_a_new_national_page_is_covered_at_once(users):
    austria = NationalPage.objects.get(country="AT", locale__language_code="en")
    parent = austria.get_parent()
    person = factories.coordinator("AT")
    assert can_edit(person, austria)
    austria.delete()
    page = parent.add_child(instance=NationalPage(title="Österreich", slug="austria-again", country="AT"))
    person = type(person).objects.get(pk=person.pk)  # fresh permission caches
    assert can_edit(person, page)
    assert not can_edit(users["coordinator-de"], page)
    from wagtail.models import GroupPagePermission

    assert not GroupPagePermission.objects.filter(page_id=austria.pk).exists()
