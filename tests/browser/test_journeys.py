"""Journeys through a real browser, accessibility checked with axe-core (WCAG 2.1 AA)."""

import re
from pathlib import Path

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Event, Registration
from tests.browser.conftest import prefer, sign_in

pytestmark = pytest.mark.browser
ROOT = Path(__file__).resolve().parents[2]
WCAG_AA = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def csp_violations(page):
    """Console errors from the Content-Security-Policy on the current page."""
    return [m for m in getattr(page, "console_errors", []) if "Content Security Policy" in m]


def axe_violations(page, context=None):
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, context=context, options=WCAG_AA)
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3]) for v in results.response["violations"]]


def upcoming_event(**filters):
    return (Event.objects.filter(status="published", start__gt=timezone.now(), registration_mode="platform", **filters)
            .order_by("start").first())


def keyboard_only_registration(page):
    """Tab to each field, type, tick with the space bar, submit with Enter; every focused control
    shows a visible focus indicator."""
    event = upcoming_event(capacity__isnull=True)
    page.goto(f"/en/events/{event.uid}/")
    reached = {}
    for _ in range(80):
        page.keyboard.press("Tab")
        focused = page.evaluate("""() => {
            const el = document.activeElement, style = getComputedStyle(el);
            return {name: el.name || "", tag: el.tagName, visible: style.outlineStyle !== "none" || style.boxShadow !== "none"};
        }""")
        assert focused["visible"], f"no visible focus on {focused}"
        if focused["name"] == "name" and "name" not in reached:
            page.keyboard.type("Keyboard User")
            reached["name"] = True
        elif focused["name"] == "email" and "email" not in reached:
            page.keyboard.type("keys@example.org")
            reached["email"] = True
        elif focused["name"] == "consent" and "consent" not in reached:
            page.keyboard.press("Space")
            reached["consent"] = True
        elif focused["name"] == "website":
            raise AssertionError("the honeypot must not be reachable by keyboard")
        elif focused["tag"] == "BUTTON" and len(reached) == 3:
            with page.expect_navigation():
                page.keyboard.press("Enter")
            break
    assert len(reached) == 3, reached
    page.get_by_role("heading", name="Check your email").wait_for()
    assert Registration.objects.filter(email="keys@example.org").exists()


# Each browser test costs a fresh seed of the demo data (the live server empties the database), so
# related checks share one test.
def test_public_pages_pass_axe_and_work_by_keyboard(page):
    keyboard_users_can_skip_to_the_content_and_filter(page)
    keyboard_only_registration(page)
    the_visitors_own_time_is_shown_next_to_the_events(page)
    event = upcoming_event(capacity__isnull=True)
    for path in ("/en/", "/fr/", "/en/events/", "/en/events/?country=FR&format=online",
                 f"/en/events/{event.uid}/", "/en/events/subscribe/?country=DE", "/en/accounts/login/",
                 "/en/events/?from=nonsense"):
        page.goto(path)
        assert axe_violations(page) == [], path
        assert csp_violations(page) == [], path


def test_guest_registers_confirms_and_cancels(page):
    """Journey 1: a citizen browses, filters by country and language, registers as a guest, opens
    the confirmation link from the outbox, adds the event to their calendar, then cancels."""
    from icalendar import Calendar

    event = upcoming_event(capacity__isnull=True, organisation__country="FR", language="fr")
    page.goto("/en/")
    with page.expect_navigation():
        page.get_by_role("link", name=re.compile("^Events$")).first.click()
    page.locator("summary", has_text="Country").click()  # the country list is folded away
    page.get_by_role("checkbox", name=re.compile(r"^France")).check()
    page.select_option("#id_language", "fr")
    with page.expect_navigation():
        page.get_by_role("button", name="Show events").click()
    page.wait_for_url(re.compile(r"country=FR.*language=fr|language=fr.*country=FR"))
    shot(page, "journey1-filtered")
    results = page.locator(".results h3 a, .results h2 a")
    assert results.count() >= 1
    assert set(Event.objects.filter(title__in=results.all_inner_texts()).values_list(
        "organisation__country", "language")) == {("FR", "fr")}
    with page.expect_navigation():
        page.get_by_role("link", name=event.title).first.click()
    page.get_by_label("Your name").fill("Ada Lovelace")
    page.get_by_label("Your email address").fill("ada@example.org")
    page.get_by_label(re.compile("I agree")).check()
    with page.expect_navigation():
        page.get_by_role("button", name="Register").click()
    page.get_by_role("heading", name="Check your email").wait_for(state="visible")
    shot(page, "journey1-check-email")
    confirm = re.search(r"https?://[^/]+(/en/registrations/confirm/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(confirm)
    with page.expect_navigation():
        page.get_by_role("button", name="Confirm my registration").click()
    page.get_by_role("heading", name="Your place is confirmed").wait_for(state="visible")
    shot(page, "journey1-confirmed")
    assert Registration.objects.get(email="ada@example.org").status == "confirmed"
    # Add to the calendar: the event page's .ics link gives one VEVENT with the event's UID.
    page.goto(f"/en/events/{event.uid}/")
    link = page.get_by_role("link", name="Add to my calendar (.ics)")
    calendar = Calendar.from_ical(page.request.get(link.get_attribute("href")).body())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["UID"]).startswith(f"{event.uid}@") and str(vevent["SUMMARY"]) == event.title
    cancel = re.search(r"https?://[^/]+(/en/registrations/cancel/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(cancel)
    with page.expect_navigation():
        page.get_by_role("button", name="Yes, cancel my registration").click()
    page.get_by_role("heading", name="Your registration is cancelled").wait_for(state="visible")
    shot(page, "journey1-cancelled")
    assert Registration.objects.get(email="ada@example.org").status == "cancelled"


def keyboard_users_can_skip_to_the_content_and_filter(page):
    page.goto("/en/events/")
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to main content")
    assert skip.evaluate("node => node === document.activeElement")
    page.keyboard.press("Enter")
    page.get_by_label("Search").fill("workshop")
    page.get_by_label("Search").press("Enter")
    page.wait_for_url(re.compile(r"q=workshop"))
    page.get_by_role("heading", level=2, name=re.compile(r"\d+ events?")).wait_for(state="visible")


def the_visitors_own_time_is_shown_next_to_the_events(page):
    event = upcoming_event(timezone="Europe/Paris")
    page.goto(f"/en/events/{event.uid}/")  # the browser runs in New York time
    note = page.locator(".local-time").first.inner_text()
    assert "your time" in note and "AM" not in note and "PM" not in note  # European style in English
    # A visitor in Berlin reads the same clock as Paris: no note.
    berlin = page.context.browser.new_context(base_url=page.url.split("/en/")[0], timezone_id="Europe/Berlin")
    berlin_page = berlin.new_page()
    berlin_page.goto(f"/en/events/{event.uid}/")
    berlin_page.wait_for_load_state("networkidle")
    assert berlin_page.locator(".local-time").count() == 0
    berlin.close()


def test_coordinator_dashboard_and_screenshot(page):
    prefer("coordinator-fr@example.org", "en")  # in English here; the demo account prefers French
    sign_in(page, "coordinator-fr@example.org")
    page.goto("/admin/coordinators/dashboard/FR/")
    page.get_by_role("heading", name="Key figures").wait_for(state="visible")
    assert page.locator("figure.eyos-chart svg").count() >= 4
    assert axe_violations(page) == []  # the whole page, Wagtail's menu and header included
    page.set_viewport_size({"width": 1280, "height": 1400})
    (ROOT / "docs").mkdir(exist_ok=True)
    page.screenshot(path=str(ROOT / "docs" / "dashboard.png"), full_page=False)
    # Another country's dashboard is not there for this coordinator.
    response = page.goto("/admin/coordinators/dashboard/DE/")
    assert response.status == 404


ARTIFACTS = ROOT / "test-artifacts"


def shot(page, name):
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_more_pages_pass_axe_in_three_languages(page):
    """Every public page of the issue's list in English, German and Maltese (Maltese falls back to
    English content for pages nobody translated yet; that content is marked lang="en"), signed out
    and signed in as an organiser; the coordinator's pages in English."""
    from campaigns.models import CampaignPage

    campaign = CampaignPage.objects.live().filter(locale__language_code="en").first()
    event = upcoming_event(capacity__isnull=True)
    languages = ("en", "de", "mt")
    # Negative control: the scan does find a fault when there is one.
    page.goto("/en/")
    page.evaluate("document.querySelector('main').insertAdjacentHTML('beforeend', '<img src=\"/x.png\">')")
    assert "image-alt" in [violation[0] for violation in axe_violations(page)]
    for language in languages:
        for path in (f"/{language}/", f"/{language}/campaigns/{campaign.slug}/",
                     f"/{language}/events/?country=FR&language=fr", f"/{language}/events/{event.uid}/",
                     f"/{language}/privacy/", f"/{language}/accounts/signup/", f"/{language}/accounts/login/",
                     f"/{language}/accounts/password/reset/"):
            response = page.goto(path)
            assert response.status == 200, path
            assert page.locator("html").get_attribute("lang") == language, path
            assert axe_violations(page) == [], path
            assert csp_violations(page) == [], path
        # The registration form, sent empty: the form with its errors.
        page.goto(f"/{language}/events/{event.uid}/")
        with page.expect_navigation():
            page.locator(f"form[action$='/events/{event.uid}/register/'] button[type=submit]").click()
        page.wait_for_load_state()
        page.locator("[role=alert]").first.wait_for(state="visible")
        assert axe_violations(page) == [], f"{language}: registration form with errors"
    sign_in(page, "organiser@example.org")
    own_event = Event.objects.filter(organisation__members__email="organiser@example.org").first()
    for language in languages:
        for path in (f"/{language}/registrations/", f"/{language}/organise/", f"/{language}/organise/events/new/",
                     f"/{language}/organise/organisations/new/", f"/{language}/organise/events/{own_event.uid}/",
                     f"/{language}/my-data/"):
            response = page.goto(path)
            assert response.status == 200, path
            assert axe_violations(page) == [], path
        # The organiser's event form, sent empty: its errors.
        page.goto(f"/{language}/organise/events/new/")
        with page.expect_navigation():
            page.locator("main form button[type=submit]").last.click()
        page.wait_for_load_state()
        page.locator("[role=alert]").first.wait_for(state="visible")
        assert axe_violations(page) == [], f"{language}: event form with errors"
    sign_in(page, "coordinator-fr@example.org")
    event = Event.objects.filter(status="submitted", organisation__country="FR").first()
    for path in ("/admin/", "/admin/coordinators/", "/admin/coordinators/events/",
                 f"/admin/coordinators/events/{event.uid}/", "/admin/coordinators/dashboard/FR/"):
        page.goto(path)
        assert axe_violations(page) == [], path  # whole pages


def test_organiser_and_coordinator_journeys(page, settings, live_server):
    """An organiser signs up, verifies their email, creates an organisation and submits an event; a
    coordinator signs in with an authenticator code, requests changes, and approves the corrected
    event, which then appears in the public list and the country feed."""
    import time

    from allauth.mfa.totp.internal.auth import TOTP, format_hotp_value, generate_totp_secret, hotp_value
    from django.contrib.auth import get_user_model

    # 1. Sign up and verify the address from the outbox.
    page.goto("/en/accounts/signup/")
    page.fill("input[name=email]", "new-organiser@example.org")
    page.fill("input[name=first_name]", "Noor")
    page.fill("input[name=password1]", "a-long-new-password-42")
    page.fill("input[name=password2]", "a-long-new-password-42")
    with page.expect_navigation():
        page.click("form button[type=submit]")
    verify = re.search(r"https?://[^/]+(/en/accounts/confirm-email/\S+/)", mail.outbox[-1].body).group(1)
    page.goto(verify)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    shot(page, "journey2-verified")
    # 2. An organisation, then an event, submitted.
    page.goto("/en/organise/organisations/new/")
    page.fill("#id_name", "Lyon Code Club")
    page.select_option("#id_country", "FR")
    with page.expect_navigation():
        page.get_by_role("button", name="Create the organisation").click()
    page.goto("/en/organise/events/new/")
    start = (timezone.now() + timezone.timedelta(days=20)).strftime("%Y-%m-%dT10:00")
    end = start[:11] + "12:00"
    page.fill("#id_title", "Python for beginners")
    page.fill("#id_summary", "Learn to code in an afternoon.")
    page.fill("#id_address", "3 quai Claude Bernard")
    page.fill("#id_city", "Lyon")
    page.fill("#id_start", start)
    page.fill("#id_end", end)
    page.select_option("#id_timezone", "Europe/Paris")
    with page.expect_navigation():
        page.get_by_role("button", name="Save as draft").click()
    with page.expect_navigation():
        page.get_by_role("button", name="Submit for review").click()
    shot(page, "journey2-submitted")
    event = Event.objects.get(title="Python for beginners")
    assert event.status == "submitted"

    # 3. The coordinator signs in with a code from their authenticator app.
    coordinator = get_user_model().objects.get(email="coordinator-fr@example.org")
    secret = generate_totp_secret()
    TOTP.activate(coordinator, secret)
    settings.EYOS_REQUIRE_MFA = True
    prefer("coordinator-fr@example.org", "en")
    sign_in(page, "coordinator-fr@example.org")
    page.fill("input[name=code]", format_hotp_value(hotp_value(secret, int(time.time()) // 30)))
    with page.expect_navigation():
        page.click("form button[type=submit]")
    page.goto(f"/admin/coordinators/events/{event.uid}/")
    page.get_by_label("What should the organiser change?").fill("Please add the room number.")
    with page.expect_navigation():
        page.get_by_role("button", name="Send back to the organiser").click()
    shot(page, "journey3-changes-requested")
    event.refresh_from_db()
    assert event.status == "changes_requested"

    # The organiser, in their own browser, reads the comment on their event, fixes it and submits
    # it again.
    organiser_context = page.context.browser.new_context(base_url=live_server.url, locale="en-GB")
    organiser_page = organiser_context.new_page()
    organiser_page.set_default_timeout(15000)
    sign_in(organiser_page, "new-organiser@example.org", password="a-long-new-password-42")
    organiser_page.goto("/en/organise/")
    with organiser_page.expect_navigation():
        organiser_page.get_by_role("link", name="Python for beginners").click()
    organiser_page.get_by_text("Please add the room number.").wait_for(state="visible")
    with organiser_page.expect_navigation():
        organiser_page.get_by_role("link", name="Edit").click()
    organiser_page.fill("#id_venue", "Room 12")
    with organiser_page.expect_navigation():
        organiser_page.get_by_role("button", name="Save changes").click()
    with organiser_page.expect_navigation():
        organiser_page.get_by_role("button", name="Submit again").click()
    shot(organiser_page, "journey3-resubmitted")
    organiser_context.close()
    event.refresh_from_db()
    assert (event.status, event.venue) == ("submitted", "Room 12")
    page.goto(f"/admin/coordinators/events/{event.uid}/")
    with page.expect_navigation():
        page.get_by_role("button", name="Approve and publish").click()
    shot(page, "journey3-approved")
    event.refresh_from_db()
    assert event.status == "published"
    page.goto("/en/events/?country=FR&q=python")
    page.get_by_role("link", name="Python for beginners").wait_for(state="visible")
    feed = page.request.get("/feeds/countries/fr.ics")
    assert "Python for beginners" in feed.text()


def test_the_admin_works_under_its_own_csp(page, settings, live_server):
    """Wagtail's admin pages, including the page editor with its StreamField and rich text, the
    translation editor and the image uploader, raise no CSP violation under EYOS_ADMIN_CSP, and
    make no request to another origin. The strict public policy, tried on the same editor, would
    break it: that shows the check can fail."""
    from campaigns.models import CampaignPage

    campaign = CampaignPage.objects.filter(locale__language_code="en").first()
    translation = CampaignPage.objects.filter(translation_key=campaign.translation_key).exclude(pk=campaign.pk).first()
    event = Event.objects.filter(status="submitted", organisation__country="FR").first()
    sign_in(page, "admin@example.org")
    foreign = []
    page.on("request", lambda request: not request.url.startswith((live_server.url, "data:", "blob:", "about:"))
            and foreign.append(request.url))
    paths = ["/admin/", "/admin/pages/", f"/admin/pages/{campaign.pk}/edit/", f"/admin/pages/{translation.pk}/edit/",
             "/admin/images/", "/admin/images/multiple/add/", "/admin/snippets/", "/admin/users/",
             "/admin/coordinators/", "/admin/coordinators/events/new/", f"/admin/coordinators/events/{event.uid}/",
             "/admin/coordinators/dashboard/eu/"]
    for path in paths:
        page.console_errors.clear()
        response = page.goto(path)
        page.wait_for_load_state("networkidle")
        assert response.status == 200, path
        assert "default-src 'self'" in response.headers["content-security-policy"], path
        assert csp_violations(page) == [], path
    # The editor's rich text field is alive (Draftail mounted by Wagtail's scripts).
    page.goto(f"/admin/pages/{campaign.pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert page.locator(".Draftail-Editor").count() >= 1
    assert foreign == []
    # Negative control: the public policy breaks the same editor.
    settings.EYOS_ADMIN_CSP = settings.SECURE_CSP
    page.console_errors.clear()
    page.goto(f"/admin/pages/{campaign.pk}/edit/")
    page.wait_for_load_state("networkidle")
    assert csp_violations(page), "the strict policy should have refused the admin's inline code"
