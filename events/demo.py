"""Demo events for `seed_demo`: topics, one organisation per participating country, the demo
organiser's organisation, coordinator assignments, and a few hundred events across countries,
formats, languages, time zones, states, past and future. Deterministic and idempotent."""

import random
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from wagtail.models import Locale

from coordinators.models import CoordinatorAssignment

from .models import Event, Organisation, Registration, Topic
from .zones import country_timezones

TOPICS = [
    ("invest-in-skills", "Investing in skills"),
    ("skills-relevance", "Skills relevance"),
    ("matching-skills-and-jobs", "Matching people and jobs"),
    ("attracting-talent", "Attracting talent"),
    ("digital-skills", "Digital skills"),
    ("green-skills", "Green skills"),
    ("healthcare", "Health and care"),
    ("construction", "Construction"),
    ("tourism", "Tourism"),
    ("automotive", "Automotive"),
    ("agri-food", "Agri-food"),
    ("entrepreneurship", "Entrepreneurship"),
]

# The language most events of a country are held in (the rest are in English).
COUNTRY_LANGUAGE = {
    "AT": "de", "BE": "nl", "BG": "bg", "HR": "hr", "CY": "el", "CZ": "cs", "DK": "da", "EE": "et",
    "FI": "fi", "FR": "fr", "DE": "de", "GR": "el", "HU": "hu", "IE": "ga", "IT": "it", "LV": "lv",
    "LT": "lt", "LU": "fr", "MT": "mt", "NL": "nl", "PL": "pl", "PT": "pt", "RO": "ro", "SK": "sk",
    "SI": "sl", "ES": "es", "SE": "sv", "LI": "de",
}
# The topics' names in the languages the demo pages are translated into (wagtail-localize
# translates them on a real site).
TOPIC_TRANSLATIONS = {
    "fr": ["Investir dans les compétences", "Pertinence des compétences", "Rapprocher les personnes et les emplois",
           "Attirer les talents", "Compétences numériques", "Compétences vertes", "Santé et soins", "Construction",
           "Tourisme", "Automobile", "Agroalimentaire", "Entrepreneuriat"],
    "de": ["In Kompetenzen investieren", "Relevanz von Kompetenzen", "Menschen und Arbeitsplätze zusammenbringen",
           "Talente gewinnen", "Digitale Kompetenzen", "Grüne Kompetenzen", "Gesundheit und Pflege", "Bauwesen",
           "Tourismus", "Automobilindustrie", "Agrar- und Lebensmittelwirtschaft", "Unternehmertum"],
    "it": ["Investire nelle competenze", "Pertinenza delle competenze", "Far incontrare persone e lavoro",
           "Attrarre talenti", "Competenze digitali", "Competenze verdi", "Salute e assistenza", "Edilizia",
           "Turismo", "Settore automobilistico", "Agroalimentare", "Imprenditorialità"],
    "es": ["Invertir en capacidades", "Pertinencia de las capacidades", "Conectar a las personas con el empleo",
           "Atraer talento", "Capacidades digitales", "Capacidades ecológicas", "Salud y cuidados", "Construcción",
           "Turismo", "Automoción", "Agroalimentación", "Emprendimiento"],
    "pl": ["Inwestowanie w umiejętności", "Adekwatność umiejętności", "Dopasowanie ludzi do miejsc pracy",
           "Przyciąganie talentów", "Umiejętności cyfrowe", "Zielone umiejętności", "Zdrowie i opieka", "Budownictwo",
           "Turystyka", "Motoryzacja", "Sektor rolno-spożywczy", "Przedsiębiorczość"],
}
KINDS = ["Workshop", "Job fair", "Webinar", "Open day", "Hackathon", "Training day", "Conference"]
CITIES = {"FR": ["Paris", "Lyon", "Lille"], "DE": ["Berlin", "München", "Köln"]}
EVENTS_PER_COUNTRY = 8


@transaction.atomic
def seed_events(users):
    english = Locale.objects.get(language_code="en")
    topics = []
    for slug, name in TOPICS:
        topic, _created = Topic.objects.get_or_create(slug=slug, locale=english, defaults={"name": name})
        topics.append(topic)
    for language, names in TOPIC_TRANSLATIONS.items():
        locale = Locale.objects.filter(language_code=language).first()
        if locale is None:
            continue
        for topic, name in zip(topics, names, strict=True):
            if not Topic.objects.filter(translation_key=topic.translation_key, locale=locale).exists():
                translated = topic.copy_for_translation(locale)
                translated.name = name
                translated.save()

    for email, country in (("coordinator-fr@example.org", "FR"), ("coordinator-de@example.org", "DE")):
        CoordinatorAssignment.objects.get_or_create(user=users[email], country=country)

    organiser_org, _created = Organisation.objects.get_or_create(
        slug="competences-lyon",
        defaults={"name": "Compétences Lyon", "country": "FR", "website": "https://example.org/", "verified": True},
    )
    organiser_org.members.add(users["organiser@example.org"])

    if Event.objects.exists():
        return
    rng = random.Random(2023)
    zones = country_timezones()
    now = timezone.now().replace(minute=0, second=0, microsecond=0)
    statuses = (
        [Event.Status.PUBLISHED] * 10
        + [Event.Status.SUBMITTED, Event.Status.DRAFT, Event.Status.CHANGES_REQUESTED,
           Event.Status.REJECTED, Event.Status.CANCELLED]
    )
    events, topic_links = [], []
    for country in settings.EYOS_COUNTRIES:
        org = organiser_org if country == "FR" else Organisation.objects.get_or_create(
            slug=f"skills-network-{country.lower()}",
            defaults={"name": f"Skills Network {country}", "country": country, "verified": True},
        )[0]
        for index in range(EVENTS_PER_COUNTRY):
            kind = rng.choice(KINDS)
            event_format = rng.choice(["onsite", "onsite", "online", "hybrid"])
            start = now + timedelta(days=rng.randint(-60, 240), hours=rng.randint(8, 18))
            city = rng.choice(CITIES.get(country, [f"City {country}"]))
            title = f"{kind}: {topics[index % len(topics)].name} ({city})"
            status = rng.choice(statuses)
            event = Event(
                title=title,
                slug=slugify(f"{title}-{country}-{index}")[:200],
                summary=f"{kind} for everyone interested in {topics[index % len(topics)].name.lower()}.",
                description=f"<p>{kind} organised by {org.name}.</p>",
                language=COUNTRY_LANGUAGE.get(country, "en") if rng.random() < 0.7 else "en",
                format=event_format,
                online_url="https://meet.example.org/eyos" if event_format != "onsite" else "",
                venue="" if event_format == "online" else "Skills Centre",
                address="" if event_format == "online" else f"{rng.randint(1, 99)} Main Street",
                city="" if event_format == "online" else city,
                country=country,
                start=start,
                end=start + timedelta(hours=rng.choice([1, 2, 3, 6])),
                timezone=zones.get(country, "Europe/Brussels"),
                organisation=org,
                capacity=rng.choice([None, None, 5, 20, 50, 200]),
                status=status,
                submitted_at=now - timedelta(days=rng.randint(0, 20)) if status != Event.Status.DRAFT else None,
                cancellation_message="Cancelled by the organiser." if status == Event.Status.CANCELLED else "",
                moderation_comment="Please add the exact address." if status == Event.Status.CHANGES_REQUESTED else "",
                rejection_reason="out_of_scope" if status == Event.Status.REJECTED else "",
            )
            events.append(event)
            topic_links.append([topics[index % len(topics)], rng.choice(topics)])
    Event.objects.bulk_create(events)
    from wagtail.search import index

    for event in events:  # bulk_create sends no signals: index for free-text search
        index.insert_or_update_object(event)
    Through = Event.topics.through
    Through.objects.bulk_create(
        [Through(event_id=event.pk, topic_id=topic.pk) for event, pair in zip(events, topic_links) for topic in set(pair)]
    )
    seed_registrations(events, now, rng)


def seed_registrations(events, now, rng):
    """Fill the small published events: every place taken and a short waiting list, so the demo
    shows "full" events and waiting lists. Addresses are on example.org."""
    registrations = []
    small = [e for e in events if e.status == Event.Status.PUBLISHED and e.capacity == 5 and e.start > now]
    for event in small:
        for n in range(event.capacity + 2):
            confirmed = n < event.capacity
            at = now - timedelta(hours=48 - n)
            registrations.append(Registration(
                event=event, name=f"Participant {n + 1}", email=f"participant{n + 1}.{event.pk}@example.org",
                language=event.language, consent_at=at,
                status=Registration.Status.CONFIRMED if confirmed else Registration.Status.WAITLISTED,
                confirmed_at=at if confirmed else None, waitlisted_at=None if confirmed else at,
            ))
    Registration.objects.bulk_create(registrations)
