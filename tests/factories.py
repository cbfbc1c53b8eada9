"""Small builders for test data. Explicit arguments, no magic."""

from datetime import timedelta
from itertools import count

from django.contrib.auth import get_user_model
from django.utils import timezone

from coordinators.models import CoordinatorAssignment
from events.models import Event, Organisation

_n = count(1)


def user(email=None, language="en", **extra):
    return get_user_model().objects.create_user(
        email=email or f"user{next(_n)}@example.org", password="pw-for-tests-1", preferred_language=language, **extra
    )


def coordinator(country, email=None, language="en"):
    person = user(email=email or f"coord-{country.lower()}-{next(_n)}@example.org", language=language, is_staff=True)
    CoordinatorAssignment.objects.create(user=person, country=country)
    return person


def organisation(country, members=(), name=None):
    org = Organisation.objects.create(
        name=name or f"Org {next(_n)} {country}", slug=f"org-{next(_n)}", country=country
    )
    org.members.add(*members)
    return org


def event(org, status=Event.Status.DRAFT, days=10, **fields):
    start = timezone.now().replace(microsecond=0) + timedelta(days=days)
    values = {
        "title": f"Skills workshop {next(_n)}",
        "summary": "A workshop about skills.",
        "country": org.country.code,
        "start": start,
        "end": start + timedelta(hours=2),
        "timezone": "Europe/Paris",
        "city": "Lyon",
        "address": "1 rue de la République",
        "status": status,
    }
    values.update(fields)
    ev = Event(organisation=org, **values)
    ev.slug = f"event-{next(_n)}"
    if status == Event.Status.SUBMITTED:
        ev.submitted_at = timezone.now()
    ev.save()
    return ev


def published_event(org, capacity=None, days=10, **fields):
    fields.setdefault("registration_mode", "platform")
    return event(org, status=Event.Status.PUBLISHED, days=days, capacity=capacity, **fields)


def next_year():
    return timezone.now().year + 1


def in_english(users):
    """The demo accounts (the `users` fixture), reading the admin in English: the admin speaks each
    user's preferred language (the French coordinator's is French), and some checks read the
    English wording."""
    for user in users.values():
        if user.preferred_language != "en":
            user.preferred_language = "en"
            user.save(update_fields=["preferred_language"])
    return users
