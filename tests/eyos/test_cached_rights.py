"""What every signed-in request asks about its user's rights (the permission names behind the
admin's checks, a coordinator's countries) is read once, then from the shared cache under the
people version: a right given or taken away applies on the user's next request, and without a
reachable cache every request reads the database as before."""

import socket
import time

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import Client, override_settings

from coordinators import permissions
from coordinators.models import CoordinatorAssignment
from events import pagecache
from tests import factories

pytestmark = pytest.mark.django_db
DASHBOARD = "/admin/coordinators/dashboard/FR/"


def fresh(user):
    """The user as the next request loads it (rights are kept per request on the object)."""
    return get_user_model().objects.get(pk=user.pk)


def permission(label):
    app_label, codename = label.split(".")
    return Permission.objects.get(content_type__app_label=app_label, codename=codename)


@pytest.fixture
def editor():
    """A user with one permission of their own and one through a group."""
    user = factories.user(email="editor@example.org")
    group = Group.objects.create(name="Test editors")
    group.permissions.add(permission("wagtailadmin.access_admin"))
    user.groups.add(group)
    user.user_permissions.add(permission("events.change_event"))
    return user


def test_rights_are_read_once_then_from_the_cache(editor, django_assert_num_queries):
    expected = {"wagtailadmin.access_admin", "events.change_event"}
    assert fresh(editor).get_all_permissions() == expected
    with django_assert_num_queries(1):  # the user; no permission look-up
        user = fresh(editor)
        assert user.has_perm("wagtailadmin.access_admin") and user.has_perm("events.change_event")
        assert not user.has_perm("events.delete_event")
        assert user.get_user_permissions() == {"events.change_event"}
        assert user.get_group_permissions() == {"wagtailadmin.access_admin"}
        assert user.has_module_perms("events") and not user.has_module_perms("auth")


@pytest.mark.parametrize("take_away", [
    lambda user: Group.objects.get(name="Test editors").permissions.remove(permission("wagtailadmin.access_admin")),
    lambda user: user.groups.clear(),
    lambda user: Group.objects.get(name="Test editors").delete(),
], ids=["the group loses it", "the user leaves the group", "the group is deleted"])
def test_a_right_taken_away_is_gone_on_the_next_request(editor, take_away):
    assert fresh(editor).has_perm("wagtailadmin.access_admin")
    take_away(editor)
    assert not fresh(editor).has_perm("wagtailadmin.access_admin")


def test_a_right_of_ones_own_taken_away_and_given_again(editor):
    assert fresh(editor).has_perm("events.change_event")
    editor.user_permissions.remove(permission("events.change_event"))
    assert not fresh(editor).has_perm("events.change_event")
    editor.user_permissions.add(permission("events.delete_event"))
    assert fresh(editor).get_user_permissions() == {"events.delete_event"}


def test_without_the_people_version_the_old_rights_would_stay_negative_control(editor, monkeypatch):
    """What the version does: with the bump switched off, a right taken away is still granted
    from the cache (so the tests above can fail)."""
    assert fresh(editor).has_perm("wagtailadmin.access_admin")
    monkeypatch.setattr(pagecache, "bump_people_version", lambda **kwargs: None)
    editor.groups.clear()
    assert fresh(editor).has_perm("wagtailadmin.access_admin")


def test_losing_admin_access_shuts_the_admin_on_the_next_request():
    coordinator = factories.coordinator("FR")
    coordinator.groups.add(Group.objects.create(name="Test admin users"))
    Group.objects.get(name="Test admin users").permissions.add(permission("wagtailadmin.access_admin"))
    client = Client()
    client.force_login(coordinator)
    for _ in range(3):
        assert client.get(DASHBOARD).status_code == 200
    coordinator.groups.clear()
    response = client.get(DASHBOARD)  # Wagtail sends who may not use the admin to sign in
    assert response.status_code == 302 and response["Location"].startswith("/en/accounts/login/")


def test_countries_follow_the_assignments(django_assert_num_queries):
    coordinator = factories.coordinator("FR")
    assert permissions.coordinator_countries(fresh(coordinator)) == {"FR"}
    with django_assert_num_queries(1):  # the user; the countries from the cache
        assert permissions.coordinator_countries(fresh(coordinator)) == {"FR"}
    CoordinatorAssignment.objects.create(user=coordinator, country="DE")
    assert permissions.coordinator_countries(fresh(coordinator)) == {"FR", "DE"}
    CoordinatorAssignment.objects.filter(user=coordinator, country="FR").delete()
    assert permissions.coordinator_countries(fresh(coordinator)) == {"DE"}
    assert permissions.scoped_country(fresh(coordinator), "FR") is None


def test_every_user_has_their_own_rights(editor):
    other = factories.user(email="other@example.org")
    coordinator = factories.coordinator("FR", email="coordinator@example.org")
    # Read one after the other with no write between them: each from their own entry.
    assert fresh(editor).has_perm("wagtailadmin.access_admin")
    assert not fresh(other).has_perm("wagtailadmin.access_admin")
    assert fresh(other).get_all_permissions() == set()
    assert permissions.coordinator_countries(fresh(coordinator)) == {"FR"}
    assert permissions.coordinator_countries(fresh(other)) == frozenset()
    assert permissions.coordinator_countries(fresh(coordinator)) == {"FR"}


def _read_by_another_server_before_the_commit(user, rights):
    """What a request on another server keeps when it reads the rights between the write's first
    bump and its commit: the rows before the write, under the version of that moment."""
    pagecache.people_cached(("permission_names", user.pk, user.is_superuser), lambda: rights)


def test_rights_read_before_the_commit_are_left_behind_by_it(editor, django_capture_on_commit_callbacks):
    assert fresh(editor).has_perm("wagtailadmin.access_admin")
    old = (frozenset({"events.change_event"}), frozenset({"wagtailadmin.access_admin"}))
    with django_capture_on_commit_callbacks(execute=True):
        editor.groups.clear()
        _read_by_another_server_before_the_commit(editor, old)
    assert not fresh(editor).has_perm("wagtailadmin.access_admin")


def test_without_the_bump_on_commit_they_would_stay_negative_control(editor, django_capture_on_commit_callbacks):
    old = (frozenset({"events.change_event"}), frozenset({"wagtailadmin.access_admin"}))
    with django_capture_on_commit_callbacks(execute=False):
        editor.groups.clear()
        _read_by_another_server_before_the_commit(editor, old)
    assert fresh(editor).has_perm("wagtailadmin.access_admin")


def test_inactive_users_and_superusers_make_no_look_up(editor, django_assert_num_queries):
    boss = factories.user(email="boss@example.org", is_superuser=True)
    editor.is_active = False
    editor.save()
    inactive, boss = fresh(editor), fresh(boss)
    with django_assert_num_queries(0):
        assert not inactive.has_perm("wagtailadmin.access_admin") and inactive.get_all_permissions() == set()
        assert boss.has_perm("anything.at_all") and boss.has_module_perms("auth")


def _closed_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_without_a_reachable_cache_rights_come_from_the_database(editor, django_assert_num_queries):
    from eyos import cache as eyos_cache

    config = {"BACKEND": "eyos.cache.ResilientRedisCache", "LOCATION": f"redis://127.0.0.1:{_closed_port()}/0",
              "KEY_PREFIX": f"t{time.time_ns()}", "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2}}
    eyos_cache._states.clear()
    try:
        with override_settings(CACHES={"default": config}):
            for _ in range(2):
                with django_assert_num_queries(3):  # the user, then their own and their groups' rights
                    assert fresh(editor).has_perm("wagtailadmin.access_admin")
            editor.groups.clear()
            assert not fresh(editor).has_perm("wagtailadmin.access_admin")
    finally:
        eyos_cache._states.clear()
