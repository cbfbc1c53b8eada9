"""Certificates of participation: a PDF in the attendee's language from a signed link in their
email and from "my registrations", a public verification page at /c/<code> that never shows the
address and survives anonymisation, and the same credential signed as an Open Badges 3.0 /
Verifiable Credential."""

import json
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from events.models import Registration
from outcomes import certificates, services
from outcomes.models import Attendance
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def attended(db):
    person = factories.user("zofia@example.org", language="pl")
    org = factories.organisation("PL", name="Fundacja Umiejętności")
    event = factories.published_event(org, days=-1, title="Warsztaty cyfrowe – Łódź")
    now = timezone.now()
    registration = Registration.objects.create(event=event, user=person, name="Zofia Żak", email=person.email,
                                               status="confirmed", language="pl", consent_at=now, confirmed_at=now)
    attendance = Attendance.objects.create(event=event, registration=registration, language="pl")
    return person, registration, attendance


def test_email_link_gives_the_pdf_and_a_forged_token_does_not(client, attended):
    _person, _registration, attendance = attended
    mail.outbox.clear()
    assert services.certificates_send() >= 1
    (message,) = [m for m in mail.outbox if m.to == ["zofia@example.org"]]
    link = re.search(r"http://testserver(/c/\S+certificate\.pdf\?token=\S+)", message.body).group(1)
    assert f"/c/{attendance.code}" in message.body
    response = client.get(link)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF-") and response["Cache-Control"] == "private, no-store"
    assert client.get(f"/c/{attendance.code}/certificate.pdf?token=forged").status_code == 404
    assert client.get(f"/c/{attendance.code}/certificate.pdf").status_code == 404
    services.certificates_send()  # the daily run again: no second email
    assert len([m for m in mail.outbox if m.to == ["zofia@example.org"]]) == 1


def test_pdf_in_the_attendees_language_with_every_alphabet(attended):
    _person, _registration, attendance = attended
    for language in ("pl", "el", "bg", "en"):
        data = certificates.pdf(attendance, language)
        assert data.startswith(b"%PDF-") and len(data) > 5000
        assert f"/Lang ({language})".encode() in data


def test_facts_on_the_certificate(attended):
    _person, _registration, attendance = attended
    values = certificates.facts(attendance)
    assert values["name"] == "Zofia Żak" and values["organiser"] == "Fundacja Umiejętności"
    assert values["duration"] == "2 h 00 min" and values["event"] == "Warsztaty cyfrowe – Łódź"


def test_my_registrations_links_the_certificate_for_its_owner_only(client, attended):
    person, registration, _attendance = attended
    client.force_login(person)
    page = client.get("/pl/registrations/").content.decode()
    link = f"/pl/organise/certificates/{registration.pk}.pdf"
    assert link in page
    assert client.get(link).content.startswith(b"%PDF-")
    client.force_login(factories.user())
    assert client.get(link).status_code == 404


def test_verification_page_confirms_without_the_address(client, attended, django_assert_num_queries):
    _person, _registration, attendance = attended
    client.get(f"/c/{attendance.code}")
    with django_assert_num_queries(2):  # the attendance with its event and organiser, the topics
        response = client.get(f"/c/{attendance.code}", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and "is genuine" in html and "Zofia Żak" in html
    assert "zofia@example.org" not in html and 'name="robots" content="noindex"' in html
    unknown = client.get("/c/NOTACODE99", HTTP_ACCEPT_LANGUAGE="en")
    assert unknown.status_code == 200 and "No certificate has the number NOTACODE99" in unknown.content.decode()
    assert client.get(f"/c/{attendance.code.lower()}").status_code == 200


def test_verification_survives_anonymisation(client, attended):
    from events import services as event_services

    person, registration, attendance = attended
    event_services.account_delete(user=person)
    attendance.refresh_from_db()
    assert attendance.anonymised_at and attendance.holder_name == "" and Attendance.objects.count() >= 1
    response = client.get(f"/c/{attendance.code}", HTTP_ACCEPT_LANGUAGE="en")
    html = response.content.decode()
    assert response.status_code == 200 and "is genuine" in html
    assert "Zofia" not in html and "zofia@example.org" not in html
    assert certificates.pdf(attendance, "en").startswith(b"%PDF-")


def test_signed_credential_verifies_and_tampering_fails(client, attended):
    _person, _registration, attendance = attended
    response = client.get(f"/c/{attendance.code}.jsonld")
    assert response["Content-Type"] == "application/ld+json"
    document = json.loads(response.content)
    assert document["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert document["credentialSubject"]["name"] == "Zofia Żak"
    assert "zofia@example.org" not in response.content.decode()
    assert document["proof"]["cryptosuite"] == "eddsa-jcs-2022"
    assert certificates.verify_signature(document)
    forged = json.loads(response.content)
    forged["credentialSubject"]["name"] = "Somebody Else"
    assert not certificates.verify_signature(forged)
    issuer = json.loads(client.get("/credentials/issuer").content)
    assert document["proof"]["verificationMethod"] in issuer["assertionMethod"]


def test_key_rotation_keeps_old_credentials_verifiable(attended, settings):
    import base64

    _person, _registration, attendance = attended
    old = certificates.sign(certificates.credential(attendance))
    old_key = old["proof"]["verificationMethod"].rsplit("#", 1)[1]
    settings.EYOS_CREDENTIAL_KEY = base64.b64encode(b"\x01" * 32).decode()
    assert not certificates.verify_signature(old)  # retired key not published: no longer trusted
    settings.EYOS_CREDENTIAL_RETIRED_KEYS = [old_key]
    assert certificates.verify_signature(old)
    new = certificates.sign(certificates.credential(attendance))
    assert new["proof"]["verificationMethod"] != old["proof"]["verificationMethod"]
    assert certificates.verify_signature(new)


def test_walk_in_without_address_gets_no_email_but_verifies(client, attended):
    _person, _registration, attendance = attended
    walk_in = Attendance.objects.create(event=attendance.event, name="Jan", walk_in=True)
    mail.outbox.clear()
    services.certificates_send()
    assert not [m for m in mail.outbox if "Jan" in m.body]
    assert client.get(f"/c/{walk_in.code}").status_code == 200


def test_no_certificate_before_the_event_ends(attended):
    _person, _registration, attendance = attended
    event = attendance.event
    event.end = timezone.now() + timedelta(hours=1)
    event.save()
    assert not services.certificates_due().filter(pk=attendance.pk).exists()
