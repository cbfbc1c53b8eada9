"""The coordinators' dashboards: a user's own copy of the page (events.pagecache.personal_page)
is served while nothing it shows can have changed, and never to anyone else.

The figures were already cached under the data version; what the copy saves is Wagtail's admin
around them (menu, search areas, permission look-ups), most of a cached dashboard's time."""

import re

import pytest
from django.contrib import messages
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.contrib.messages.storage.session import SessionStorage
from django.test import Client, RequestFactory

from coordinators.models import CoordinatorAssignment
from events import services
from tests import factories

pytestmark = pytest.mark.django_db
URL = "/admin/coordinators/dashboard/FR/"
TOKEN = re.compile(r'"CSRF_TOKEN": "([^"]+)"')


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()


def signed_in(user):
    client = Client()
    client.force_login(user)
    return client


def page_entries():
    import pickle

    return [pickle.loads(value) for key, value in cache._cache.items() if ":eyos:page:" in key]


def test_a_repeat_comes_from_the_users_copy(django_assert_num_queries):
    client = signed_in(factories.coordinator("FR", email="anne@example.org"))
    first = client.get(URL)  # sets the CSRF cookie: nothing is kept yet
    assert first.status_code == 200 and "csrftoken" in first.cookies and page_entries() == []
    drawn = client.get(URL)
    assert drawn.status_code == 200 and len(page_entries()) == 1
    # Left: the session, the user and the user's admin profile (Wagtail's); the permission names
    # behind the admin access check and the coordinator's countries come from the people cache
    # (tests/eyos/test_cached_rights.py).
    with django_assert_num_queries(3):
        again = client.get(URL)
    assert again.status_code == 200 and again.content == drawn.content
    assert again["Cache-Control"] == drawn["Cache-Control"] and "no-store" in again["Cache-Control"]


def test_the_token_in_a_copy_works_for_its_user(django_assert_num_queries):
    client = signed_in(factories.coordinator("FR"))
    client.get(URL)
    client.get(URL)
    again = client.get(URL)
    assert len(page_entries()) == 1
    token = TOKEN.search(again.content.decode()).group(1)
    client.handler.enforce_csrf_checks = True
    response = client.post("/admin/logout/", {"csrfmiddlewaretoken": token})
    assert response.status_code == 302 and "_auth_user_id" not in client.session


def test_every_user_gets_their_own_page():
    anne = signed_in(factories.coordinator("FR", email="anne@example.org"))
    bruno = signed_in(factories.coordinator("FR", email="bruno@example.org"))
    anne.get(URL)
    # The same CSRF cookie, as in one browser where one signed out and the other in: the page is
    # still each user's own.
    bruno.cookies["csrftoken"] = anne.cookies["csrftoken"].value
    for client in (anne, bruno, anne, bruno, anne, bruno):
        client.get(URL)
    assert b"anne@example.org" in anne.get(URL).content
    assert b"anne@example.org" not in bruno.get(URL).content
    assert len(page_entries()) == 2


def test_a_registration_shows_at_once(django_capture_on_commit_callbacks):
    organisation = factories.organisation("FR")
    event = factories.published_event(organisation, capacity=5)
    client = signed_in(factories.coordinator("FR"))
    client.get(URL)
    before = client.get(URL).content
    assert client.get(URL).content == before  # the copy
    with django_capture_on_commit_callbacks(execute=True):
        services.registration_create(event=event, name="Guest", email="guest@example.org", consent=True,
                                     language="en")
    assert client.get(URL).content != before


def test_losing_a_country_applies_at_once():
    coordinator = factories.coordinator("FR")
    client = signed_in(coordinator)
    for _ in range(3):
        assert client.get(URL).status_code == 200
    CoordinatorAssignment.objects.filter(user=coordinator).delete()
    assert client.get(URL).status_code != 200
    CoordinatorAssignment.objects.create(user=coordinator, country="FR")
    assert client.get(URL).status_code == 200


def test_messages_are_shown_and_never_kept():
    coordinator = factories.coordinator("FR")
    client = signed_in(coordinator)
    client.get(URL)
    client.get(URL)
    assert len(page_entries()) == 1
    request = RequestFactory().get("/")
    request.session = client.session
    storage = SessionStorage(request)
    storage.add(messages.SUCCESS, "A message for Anne.")
    storage.update(None)
    request.session.save()
    response = client.get(URL)
    assert b"A message for Anne." in response.content
    assert b"A message for Anne." not in client.get(URL).content
    assert all(b"A message for Anne." not in entry["content"] for entry in page_entries())


def test_without_a_csrf_cookie_nothing_is_kept_or_served():
    client = signed_in(factories.coordinator("FR"))
    for _ in range(3):
        client.cookies.pop("csrftoken", None)
        assert client.get(URL).status_code == 200
    assert page_entries() == []


def test_the_page_cache_switch_turns_it_off(settings):
    settings.EYOS_PAGE_CACHE = False
    client = signed_in(factories.coordinator("FR"))
    for _ in range(3):
        client.get(URL)
    assert page_entries() == []


def test_group_changes_bump_the_people_version():
    from events import pagecache
    from events.cache import version

    before = version(pagecache.PEOPLE_KEY)
    Group.objects.create(name="Someone new")
    assert version(pagecache.PEOPLE_KEY) != before


def test_a_sign_in_elsewhere_keeps_the_copies_a_change_of_rights_drops_them():
    from events import pagecache
    from events.cache import version

    before = version(pagecache.PEOPLE_KEY)
    someone = factories.user(email="someone@example.org")
    after_creation = version(pagecache.PEOPLE_KEY)
    assert after_creation != before
    Client().force_login(someone)  # saves last_login alone
    assert version(pagecache.PEOPLE_KEY) == after_creation


def test_a_malformed_csrf_cookie_gets_no_copy():
    client = signed_in(factories.coordinator("FR"))
    client.get(URL)
    client.cookies["csrftoken"] = "not-a-valid-secret"
    for _ in range(2):
        assert client.get(URL).status_code == 200
        client.cookies["csrftoken"] = "not-a-valid-secret"
    assert page_entries() == []
