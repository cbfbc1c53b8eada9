import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("path", ["/admin/", "/admin/snippets/events/topic/", "/admin/snippets/events/organisation/"])
def test_eu_team_admin_pages_load(client, users, path):
    client.force_login(users["admin"])
    assert client.get(path).status_code == 200


def test_coordinators_get_no_snippet_access(client, users):
    client.force_login(users["coordinator-fr"])
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/snippets/events/organisation/").status_code in (302, 403)
