"""The country groups hold wagtail-localize's "submit translation" permission even on a database
that was flushed (as the browser tests' live server does), where that permission, made by a
migration only, is gone."""

import pytest
from django.contrib.auth.models import Group, Permission

from coordinators import permissions

pytestmark = pytest.mark.django_db


def test_a_flushed_database_gets_the_permission_back():
    Permission.objects.filter(content_type__app_label="wagtail_localize", codename="submit_translation").delete()
    permissions.sync_country_page_permissions("FR")
    group = Group.objects.get(name=permissions.country_group_name("FR"))
    assert group.permissions.filter(content_type__app_label="wagtail_localize", codename="submit_translation").exists()
    # Idempotent: the same permission, not a second one.
    permissions.sync_country_page_permissions("FR")
    assert Permission.objects.filter(codename="submit_translation").count() == 1
