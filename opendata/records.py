"""How a public event is written out: as the API's JSON, as JSON-LD (schema.org `Event` and the
SEMIC Core Public Event Vocabulary's `PublicEvent`) and as a CSV row. One place, so the API, the
dataset and its documentation say the same things."""

from django.conf import settings
from django.urls import reverse
from django.utils import translation

LICENSE_URL = "https://creativecommons.org/licenses/by/4.0/"
LICENSE_NAME = "CC BY 4.0"
# The EU's authority table names the licence for DCAT-AP (open data portals harvest this).
LICENSE_EU_AUTHORITY = "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
ATTRIBUTION = "European Year of Skills, events published on EYOS"
LICENSE_LINK = f'<{LICENSE_URL}>; rel="license"'

_UID = "00000000-0000-4000-8000-00000000da7a"
_event_url_patterns = {}


def event_url(event):
    """The event's page in its own language (reversed once per language, not once per event)."""
    language = event.language if event.language in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
    pattern = _event_url_patterns.get(language)
    if pattern is None:
        with translation.override(language):
            pattern = settings.SITE_URL + reverse("events:detail", kwargs={"uid": _UID})
        _event_url_patterns[language] = pattern
    return pattern.replace(_UID, str(event.uid))


def _local(moment, event):
    return moment.astimezone(event.tzinfo).isoformat()


def _registration_url(event):
    if event.registration_mode == "external":
        return event.external_registration_url or None
    if event.registration_mode == "platform":
        return event_url(event)
    return None


def _coordinate(value):
    return None if value is None else float(value)


def event_record(event):
    """The API's JSON for an event (opendata.api.EventOut documents it)."""
    return {
        "uid": str(event.uid),
        "url": event_url(event),
        "title": event.title,
        "summary": event.summary,
        "description": event.description,
        "language": event.language,
        # The language title, summary and description are in: the event's own, or the API's
        # `lang` where the organiser translated the event (contenttranslation.with_translations).
        "content_language": event.content_language or event.language,
        "format": event.format,
        "status": event.status,
        "start": _local(event.start, event),
        "end": _local(event.end, event),
        "timezone": event.timezone,
        "venue": event.venue,
        "address": event.address,
        "city": event.city,
        "postcode": event.postcode,
        "country": event.country.code,
        "latitude": _coordinate(event.latitude),
        "longitude": _coordinate(event.longitude),
        "topics": [topic.slug for topic in event.topics.all()],
        "audience": event.target_audience,
        "capacity": event.capacity,
        "organisation": event.organisation.name,
        "registration": {"mode": event.registration_mode, "url": _registration_url(event)},
        "accessibility": {
            "step_free_access": event.step_free_access, "sign_language": event.sign_language,
            "captions": event.captions, "notes": event.accessibility_notes,
        },
        "updated": event.updated_at.isoformat(),
    }


JSONLD_CONTEXT = {
    "@vocab": "https://schema.org/",
    "cv": "http://data.europa.eu/m8g/",
    "dct": "http://purl.org/dc/terms/",
    "locn": "http://www.w3.org/ns/locn#",
    "time": "http://www.w3.org/2006/time#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
}
_ATTENDANCE = {
    "onsite": "https://schema.org/OfflineEventAttendanceMode",
    "online": "https://schema.org/OnlineEventAttendanceMode",
    "hybrid": "https://schema.org/MixedEventAttendanceMode",
}


def event_jsonld(event):
    """One node of the dataset's graph: a schema.org Event that is also a CPEV PublicEvent, with
    the CPEV's own terms (dct:title, dct:temporal as an OWL-Time interval, locn:Address,
    cv:eventStatus, cv:format, cv:audience, cv:accessibility, cv:registrationPage)."""
    url = event_url(event)
    start, end = _local(event.start, event), _local(event.end, event)
    cancelled = event.status == "cancelled"
    topics = [topic.name for topic in event.topics.all()]
    node = {
        "@id": url,
        "@type": ["Event", "cv:PublicEvent"],
        "identifier": str(event.uid),
        "name": event.title,
        "description": event.summary,
        "startDate": start,
        "endDate": end,
        "eventStatus": "https://schema.org/EventCancelled" if cancelled else "https://schema.org/EventScheduled",
        "eventAttendanceMode": _ATTENDANCE.get(event.format),
        "inLanguage": event.language,
        "url": url,
        "organizer": {"@type": "Organization", "name": event.organisation.name},
        "keywords": topics,
        "audience": {"@type": "Audience", "audienceType": event.target_audience},
        "dateModified": event.updated_at.isoformat(),
        "dct:identifier": str(event.uid),
        "dct:title": {"@value": event.title, "@language": event.language},
        "dct:description": {"@value": event.summary, "@language": event.language},
        "dct:language": event.language,
        "dct:temporal": {
            "@type": "time:Interval",
            "time:hasBeginning": {"@type": "time:Instant", "time:inXSDDateTimeStamp": {"@value": start, "@type": "xsd:dateTimeStamp"}},
            "time:hasEnd": {"@type": "time:Instant", "time:inXSDDateTimeStamp": {"@value": end, "@type": "xsd:dateTimeStamp"}},
        },
        "cv:eventStatus": "cancelled" if cancelled else "scheduled",
        "cv:format": event.format,
        "cv:audience": event.target_audience,
    }
    if event.format != "online":
        address = {
            "@type": "PostalAddress", "streetAddress": event.address, "addressLocality": event.city,
            "postalCode": event.postcode, "addressCountry": event.country.code,
        }
        place = {"@type": "Place", "name": event.venue or event.city, "address": address}
        if event.latitude is not None and event.longitude is not None:
            place["geo"] = {"@type": "GeoCoordinates", "latitude": float(event.latitude),
                            "longitude": float(event.longitude)}
        node["location"] = place
        node["dct:location"] = {
            "@type": "locn:Address",
            "locn:fullAddress": ", ".join(part for part in (event.venue, event.address, event.postcode, event.city,
                                                            event.country.code) if part),
            "locn:thoroughfare": event.address, "locn:postName": event.city, "locn:postCode": event.postcode,
            "locn:adminUnitL1": event.country.code,
        }
    else:
        node["location"] = {"@type": "VirtualLocation", "url": url}
    registration = _registration_url(event)
    if registration:
        node["cv:registrationPage"] = {"@id": registration}
    needs = [name for name in ("step_free_access", "sign_language", "captions") if getattr(event, name)]
    if needs or event.accessibility_notes:
        node["cv:accessibility"] = ", ".join(needs + ([event.accessibility_notes] if event.accessibility_notes else []))
    return node


CSV_HEADER = (
    "uid", "url", "title", "summary", "language", "format", "status", "start", "end", "timezone", "venue",
    "address", "city", "postcode", "country", "latitude", "longitude", "topics", "audience", "capacity",
    "organisation", "registration_mode", "registration_url", "step_free_access", "sign_language", "captions",
    "accessibility_notes", "updated",
)


def event_csv_row(event):
    record = event_record(event)
    flat = {**record, "topics": " ".join(record["topics"]), "registration_mode": record["registration"]["mode"],
            "registration_url": record["registration"]["url"],
            **{name: int(value) if isinstance(value, bool) else value
               for name, value in record["accessibility"].items() if name != "notes"},
            "accessibility_notes": record["accessibility"]["notes"]}
    return ["" if flat[name] is None else flat[name] for name in CSV_HEADER]
