import pytest
from django.core.management import call_command


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """One seeded database for the whole run: locales, translated pages, demo accounts. Each test
    still runs in its own transaction, so nothing a test writes leaks into the next."""
    with django_db_blocker.unblock():
        call_command("seed_demo", force=True, quiet_accounts=True, verbosity=0, stdout=_Null())


class _Null:
    def write(self, *_args, **_kwargs):
        pass

    def flush(self):
        pass


@pytest.fixture
def users(db):
    from django.contrib.auth import get_user_model

    User = get_user_model()
    return {user.email.split("@")[0]: user for user in User.objects.all()}


def pytest_collection_modifyitems(config, items):
    """Tests marked `pg` need PostgreSQL (row locks, full text); `make test-pg` runs them.
    Browser tests run last: their live server empties the database after each of them."""
    from django.db import connection

    items.sort(key=lambda item: "browser" in item.keywords)
    if connection.vendor == "postgresql":
        return
    skip = pytest.mark.skip(reason="needs PostgreSQL: run `make test-pg`")
    for item in items:
        if "pg" in item.keywords:
            item.add_marker(skip)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Each test starts with an empty cache: rate-limit counters are keyed by user id, and ids are
    reused after a test's transaction rolls back."""
    from django.core.cache import cache

    cache.clear()
