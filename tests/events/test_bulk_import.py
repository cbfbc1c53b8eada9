"""Bulk import of events from CSV/XLSX: preview with errors and duplicates, confirmation,
permissions, all-or-nothing import, file errors as 400 pages, the template."""

import io
from datetime import timedelta
from unittest import mock

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from wagtail.models import ModelLogEntry

from events import imports
from events.models import Event
from tests import factories

pytestmark = pytest.mark.django_db
S = Event.Status

HEADER = ["title", "summary", "language", "format", "city", "address", "start", "end", "timezone",
          "registration_mode", "capacity", "topics", "online_url"]


def day(days=30, hour=10):
    return (timezone.now() + timedelta(days=days)).strftime(f"%Y-%m-%d {hour:02d}:00")


def row(n, **overrides):
    values = {
        "title": f"Atelier numérique {n}", "summary": "Découvrir les outils.", "language": "fr",
        "format": "onsite", "city": "Lyon", "address": "1 rue de la République",
        "start": day(30 + n % 300, 10), "end": day(30 + n % 300, 12), "timezone": "Europe/Paris",
        "registration_mode": "platform", "capacity": "25", "topics": "", "online_url": "",
    }
    values.update(overrides)
    return [values[name] for name in HEADER]


def csv_bytes(rows, delimiter=",", bom=False, encoding="utf-8"):
    import csv

    out = io.StringIO()
    writer = csv.writer(out, delimiter=delimiter)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return (("\ufeff" if bom else "") + out.getvalue()).encode(encoding)


def xlsx_bytes(rows):
    book = openpyxl.Workbook()
    book.active.append(HEADER)
    for values in rows:
        book.active.append(values)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.fixture
def organiser(db):
    person = factories.user("importer@example.org")
    person.org = factories.organisation("FR", members=[person], name="Ateliers Lyon")
    return person


def upload(client, org, content, name="events.csv"):
    return client.post("/en/organise/import/", {"organisation": org.pk, "file": SimpleUploadedFile(name, content)})


def confirm(client, response):
    return client.post("/en/organise/import/confirm/", {"token": response.context["token"]})


def test_a_thousand_rows_with_fifty_bad_ones(client, organiser):
    bad = set(range(0, 1000, 20))  # 50 rows
    rows = [row(n, end=day(30 + n % 300, 9)) if n in bad else row(n) for n in range(1000)]
    client.force_login(organiser)
    with CaptureQueriesContext(connection) as queries:
        response = upload(client, organiser.org, csv_bytes(rows))
    assert response.status_code == 200
    assert response.context["good"] == 950 and response.context["bad"] == 50
    # Session, user, organisations, topics, the duplicate checks, the stash: none per row (the
    # model's check constraints, two queries a row before, are the form's own rules).
    assert len(queries) == 14, [query["sql"][:80] for query in queries]
    errors = [r for r in response.context["results"] if not r.ok]
    assert [r.number for r in errors] == [n + 2 for n in sorted(bad)]
    response = confirm(client, response)
    assert response.status_code == 200 and response.context["created"] == 950
    assert [r.number for r in response.context["skipped"]] == [n + 2 for n in sorted(bad)]
    events = Event.objects.filter(organisation=organiser.org)
    assert events.count() == 950 and set(events.values_list("status", flat=True)) == {S.SUBMITTED}
    one = events.first()
    actions = set(ModelLogEntry.objects.for_instance(one).values_list("action", flat=True))
    assert {"wagtail.create", "eyos.event.submit"} <= actions


def test_semicolons_bom_and_cp1252(client, organiser):
    client.force_login(organiser)
    response = upload(client, organiser.org, csv_bytes([row(1), row(2)], delimiter=";", bom=True))
    assert response.status_code == 200 and response.context["good"] == 2
    response = upload(client, organiser.org, csv_bytes([row(3, title="Café écrit")], delimiter=";", encoding="cp1252"))
    assert response.status_code == 200 and response.context["results"][0].title == "Café écrit"


def test_xlsx_upload(client, organiser):
    client.force_login(organiser)
    response = upload(client, organiser.org, xlsx_bytes([row(1), row(2, format="teleport")]), name="events.xlsx")
    assert response.status_code == 200
    results = response.context["results"]
    assert results[0].ok and not results[1].ok and results[1].errors[0][0] == "format"
    confirm(client, response)
    assert Event.objects.filter(organisation=organiser.org).count() == 1


def test_duplicates_are_flagged_in_the_preview(client, organiser):
    existing = factories.published_event(organiser.org, title="Atelier numérique 5", online_url="https://Example.org/x/")
    start = timezone.localtime(existing.start, existing.tzinfo)
    client.force_login(organiser)
    rows = [
        row(5, start=start.strftime("%Y-%m-%d %H:%M"), end=(start + timedelta(hours=1)).strftime("%Y-%m-%d %H:%M")),
        row(6, format="online", online_url="https://example.org/x", city="", address=""),
        row(7), row(7),
    ]
    response = upload(client, organiser.org, csv_bytes(rows))
    results = response.context["results"]
    assert all(r.ok for r in results), [r.errors for r in results]
    assert "Same title on the same day" in results[0].duplicates[0]
    assert "Same link" in results[1].duplicates[0]
    assert not results[2].duplicates and "row 4" in results[3].duplicates[0]
    assert b"Possible duplicate" in response.content


def test_an_organiser_cannot_import_for_another_organisation(client, organiser):
    other = factories.organisation("FR")
    client.force_login(organiser)
    response = upload(client, other, csv_bytes([row(1)]))
    assert response.status_code == 400
    assert Event.objects.filter(organisation=other).count() == 0


def test_a_french_coordinator_cannot_import_for_a_german_organisation(client):
    coordinator = factories.coordinator("FR")
    german = factories.organisation("DE")
    french = factories.organisation("FR")
    client.force_login(coordinator)
    assert upload(client, german, csv_bytes([row(1)])).status_code == 400
    response = upload(client, french, csv_bytes([row(1)]))
    assert response.status_code == 200
    confirm(client, response)
    assert list(Event.objects.filter(organisation=french).values_list("status", flat=True)) == [S.PUBLISHED]
    assert not Event.objects.filter(organisation=german).exists()


def test_a_stashed_import_cannot_be_confirmed_by_someone_else(client, organiser):
    client.force_login(organiser)
    response = upload(client, organiser.org, csv_bytes([row(1)]))
    client.force_login(factories.user())
    assert confirm(client, response).status_code == 400
    assert not Event.objects.filter(organisation=organiser.org).exists()


def test_nothing_is_half_imported(client, organiser):
    client.force_login(organiser)
    response = upload(client, organiser.org, csv_bytes([row(n) for n in range(10)]))
    from events import services

    real, calls = services.event_create, []

    def failing(**kwargs):
        calls.append(1)
        if len(calls) == 6:
            raise RuntimeError("disk full")
        return real(**kwargs)

    client.raise_request_exception = False
    with mock.patch.object(services, "event_create", failing):
        assert confirm(client, response).status_code == 500
    assert Event.objects.filter(organisation=organiser.org).count() == 0


@pytest.mark.parametrize("name, content, message", [
    ("events.pdf", b"%PDF-1.4", "Upload a CSV"),
    ("events.xlsx", b"title,start\n", "Upload a CSV"),
    ("events.xlsx", b"PK\x03\x04garbage", "could not be read as an Excel"),
    ("events.csv", b"nonsense,columns\n1,2\n", "Unknown columns"),
    ("events.csv", b"", "empty"),
])
def test_bad_files_give_a_clear_400(client, organiser, name, content, message):
    client.force_login(organiser)
    response = upload(client, organiser.org, content, name=name)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_too_large_and_too_many_rows(client, organiser, settings):
    client.force_login(organiser)
    with mock.patch.object(imports, "MAX_BYTES", 100):
        response = upload(client, organiser.org, csv_bytes([row(n) for n in range(5)]))
    assert response.status_code == 400 and "too large" in response.content.decode()
    with mock.patch.object(imports, "MAX_ROWS", 3):
        response = upload(client, organiser.org, csv_bytes([row(n) for n in range(5)]))
    assert response.status_code == 400 and "more than 3 events" in response.content.decode()


def test_the_template_in_two_languages(client, organiser):
    client.force_login(organiser)
    for language in ("en", "de"):
        response = client.get(f"/{language}/organise/import/template.xlsx")
        assert response.status_code == 200
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        assert [cell.value for cell in book.worksheets[0][1]] == imports.COLUMN_NAMES
        help_rows = list(book.worksheets[1].iter_rows(values_only=True))
        assert [name for name, _text in help_rows[1:]] == imports.COLUMN_NAMES
    response = client.get("/fr/organise/import/template.csv")
    assert response.status_code == 200
    assert response.content.decode("utf-8-sig").strip() == ",".join(imports.COLUMN_NAMES)
    page = client.get("/en/organise/import/")
    assert page.status_code == 200 and b"template" in page.content
    assert b"/en/organise/import/" in client.get("/en/organise/").content


def test_topics_by_slug_and_the_admin_menu_link(client, organiser):
    from wagtail.models import Locale

    from events.models import Topic

    topic = Topic.objects.filter(locale=Locale.get_default()).first()
    client.force_login(organiser)
    response = upload(client, organiser.org, csv_bytes([row(1, topics=f"{topic.slug}; "), row(2, topics="nope")]))
    results = response.context["results"]
    assert results[0].ok and results[1].errors == [("topics", "Unknown topics: nope.")]
    confirm(client, response)
    assert list(Event.objects.get(organisation=organiser.org).topics.all()) == [topic]
    coordinator = factories.coordinator("FR")
    client.force_login(coordinator)
    assert b"/organise/import/" in client.get("/admin/").content


def test_coordinators_get_one_summary_per_import_not_one_email_per_event(client, organiser, mailoutbox,
                                                                       django_capture_on_commit_callbacks):
    english = factories.coordinator("FR")
    french = factories.coordinator("FR", language="fr")
    factories.coordinator("DE")  # another country's coordinator hears nothing
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
        response = confirm(client, upload(client, organiser.org, csv_bytes([row(n) for n in range(25)])))
    assert response.context["created"] == 25
    from coordinators import permissions

    # Exactly one email per coordinator of France (the demo's too), none per event.
    everyone = sorted(permissions.coordinators_of("FR").values_list("email", flat=True))
    assert {english.email, french.email} <= set(everyone)
    assert sorted(m.to[0] for m in mailoutbox) == everyone
    mail = next(m for m in mailoutbox if m.to == [english.email])
    assert mail.subject == "Ateliers Lyon: 25 new events to review"
    first = Event.objects.filter(organisation=organiser.org).order_by("start", "pk").first()
    assert f"/admin/coordinators/events/{first.uid}/" in mail.body
    assert mail.body.count("Atelier numérique") == 20 and "… and 5 more." in mail.body
    assert "&amp;" not in mail.body and "&#x27;" not in mail.body
    in_french = next(m for m in mailoutbox if m.to == [french.email])
    assert "25" in in_french.subject and "to review" not in in_french.subject


def test_a_one_event_import_sends_the_usual_email(client, organiser, mailoutbox, django_capture_on_commit_callbacks):
    coordinator = factories.coordinator("FR")
    client.force_login(organiser)
    with django_capture_on_commit_callbacks(execute=True):
            confirm(client, upload(client, organiser.org, csv_bytes([row(1, title="Skills & Jobs: Women's day")])))
    assert [m.subject for m in mailoutbox if m.to == [coordinator.email]] == [
        "New event to review: Skills & Jobs: Women's day"]


def test_validation_costs_the_same_queries_for_ten_rows_as_for_two_hundred(organiser, django_assert_num_queries):
    """The check constraints the form enforces itself are not asked of the database row by row."""
    few = [(n + 2, dict(zip(HEADER, row(n)))) for n in range(10)]
    many = [(n + 2, dict(zip(HEADER, row(n)))) for n in range(200)]
    imports.validate(few, organiser.org)  # warm: the default locale is cached after its first read
    with django_assert_num_queries(3):  # topics, and the duplicate checks' two
        assert all(result.ok for result in imports.validate(few, organiser.org))
    with django_assert_num_queries(3):
        assert all(result.ok for result in imports.validate(many, organiser.org))


def test_rows_breaking_the_constraints_the_form_enforces_are_still_refused(organiser):
    names = {constraint.name for constraint in Event._meta.constraints}
    assert imports.ImportEventForm.ENFORCED_BY_CLEAN <= names
    rows = [(2, dict(zip(HEADER, row(1, end=day(30, 9))))), (3, dict(zip(HEADER, row(2, capacity="-1"))))]
    first, second = imports.validate(rows, organiser.org)
    assert [name for name, _message in first.errors] == ["end"]
    assert [name for name, _message in second.errors] == ["capacity"]
