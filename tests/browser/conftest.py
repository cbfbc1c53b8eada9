"""Browser tests: Playwright driving the system Chromium (Debian's `chromium`, installed by
.ci/run; `playwright install` cannot download browsers here).

They need a live server, and so a transactional database that is emptied after each test: they
run last (see tests/conftest.py), and each one seeds the demo data it uses."""

import os
import shutil

import pytest
from django.core.management import call_command


def chromium_path():
    for name in ("chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


@pytest.fixture(scope="session")
def browser():
    path = chromium_path()
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("Chromium is missing: .ci/run installs it with apt")
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    from playwright.sync_api import sync_playwright

    # Playwright's sync API keeps an event loop running in this thread; the ORM calls these tests
    # make between browser steps are synchronous and safe. (Browser tests run last.)
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=path, args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def seeded(transactional_db):
    from tests.conftest import _Null

    call_command("seed_demo", force=True, quiet_accounts=True, verbosity=0, stdout=_Null())


@pytest.fixture
def page(browser, live_server, seeded):
    context = browser.new_context(base_url=live_server.url, locale="en-GB", timezone_id="America/New_York")
    page = context.new_page()
    page.set_default_timeout(15000)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    yield page
    context.close()


def sign_in(page, email, password="eyos-demo-2023", language="en"):
    page.context.clear_cookies()  # whoever was signed in before
    page.goto(f"/{language}/accounts/login/")
    page.fill("input[name=login]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")


def prefer(email, language):
    """The admin speaks each person's preferred language: these tests read it in `language`."""
    from django.contrib.auth import get_user_model

    person = get_user_model().objects.get(email=email)
    person.preferred_language = language
    person.save()
