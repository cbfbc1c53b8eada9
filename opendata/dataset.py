"""The open dataset: every public event as JSON-LD and as CSV, written to the default storage by a
daily task, and its DCAT-AP catalogue record. Files are written under a new name each run (the
newest one is served at the stable URL), so a download never sees a half-written file; the
events are streamed to disk a chunk at a time, so 100,000 events never sit in memory."""

import json
import re
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.core.files import File
from django.core.files.storage import default_storage
from django.utils import timezone

from events.exports import csv_lines

from . import records, selectors

FOLDER = "opendata"
FORMATS = {
    "jsonld": {"media_type": "application/ld+json", "eu_file_type": "JSON_LD", "title": "Events (JSON-LD)"},
    "csv": {"media_type": "text/csv", "eu_file_type": "CSV", "title": "Events (CSV)"},
}
_NAME = re.compile(r"^events-(\d{8}T\d{6}Z)\.(jsonld|csv)$")
ALIVE_EVERY = 1000  # events written between two calls of `alive`
KEEP = 2  # runs kept per format: the newest is served; the one before may still be downloading


@dataclass
class DatasetFile:
    name: str  # in the storage
    kind: str
    generated: datetime
    size: int


def _jsonld_chunks(events):
    yield '{"@context":' + json.dumps(records.JSONLD_CONTEXT) + ',"@graph":[\n'
    first = True
    for event in events:
        yield ("" if first else ",\n") + json.dumps(records.event_jsonld(event), ensure_ascii=False)
        first = False
    yield "\n]}\n"


def _csv_chunks(events):
    # The same cell neutralising as every CSV the project serves (events.exports).
    return csv_lines(records.CSV_HEADER, (records.event_csv_row(event) for event in events))


WRITERS = {"jsonld": _jsonld_chunks, "csv": _csv_chunks}


def write_dataset(*, now=None, storage=None, alive=None):
    """Write both files from the database, then drop old runs. Returns {kind: storage name}.
    `alive()` is called every 1,000 events written (the task's heartbeat, see opendata.tasks)."""
    storage = storage or default_storage
    stamp = (now or timezone.now()).astimezone(UTC).strftime("%Y%m%dT%H%M%SZ")
    written = {}
    for kind, writer in WRITERS.items():
        with tempfile.TemporaryFile() as spool:
            for number, chunk in enumerate(writer(selectors.dataset_events()), start=1):
                spool.write(chunk.encode("utf-8"))
                if alive and number % ALIVE_EVERY == 0:
                    alive()
            spool.seek(0)
            written[kind] = storage.save(f"{FOLDER}/events-{stamp}.{kind}", File(spool))
    _prune(storage)
    return written


def _runs(storage):
    try:
        _dirs, names = storage.listdir(FOLDER)
    except FileNotFoundError:
        return {}
    runs = {}
    for name in names:
        match = _NAME.match(name)
        if match:
            runs.setdefault(match.group(2), []).append((match.group(1), name))
    return {kind: sorted(found, reverse=True) for kind, found in runs.items()}


def _prune(storage):
    for found in _runs(storage).values():
        for _stamp, name in found[KEEP:]:
            storage.delete(f"{FOLDER}/{name}")


def current_file(kind, storage=None):
    """The newest run's file of a kind, or None before the first run."""
    storage = storage or default_storage
    found = _runs(storage).get(kind)
    if not found:
        return None
    stamp, name = found[0]
    path = f"{FOLDER}/{name}"
    generated = datetime.strptime(stamp, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return DatasetFile(name=path, kind=kind, generated=generated, size=storage.size(path))


def catalogue_record(files, *, base_url):
    """DCAT-AP 3 catalogue record (JSON-LD) of the dataset and its two distributions, for open data
    portals (data.europa.eu and national ones) to harvest."""
    authority = "http://publications.europa.eu/resource/authority/"
    modified = max((f.generated for f in files.values() if f), default=None)
    distributions = []
    for kind, spec in FORMATS.items():
        url = f"{base_url}/data/events.{kind}"
        distribution = {
            "@id": url,
            "@type": "dcat:Distribution",
            "dct:title": {"@value": spec["title"], "@language": "en"},
            "dcat:accessURL": {"@id": url},
            "dcat:downloadURL": {"@id": url},
            "dcat:mediaType": {"@id": f"https://www.iana.org/assignments/media-types/{spec['media_type']}"},
            "dct:format": {"@id": f"{authority}file-type/{spec['eu_file_type']}"},
            "dct:license": {"@id": records.LICENSE_EU_AUTHORITY},
            "dct:rights": {"@id": records.LICENSE_URL},
        }
        if files.get(kind):
            distribution["dcat:byteSize"] = {"@value": str(files[kind].size), "@type": "xsd:nonNegativeInteger"}
            distribution["dct:modified"] = {"@value": files[kind].generated.isoformat(), "@type": "xsd:dateTime"}
        distributions.append(distribution)
    dataset = {
        "@id": f"{base_url}/data/#events",
        "@type": "dcat:Dataset",
        "dct:identifier": f"{base_url}/data/#events",
        "dct:title": {"@value": "Events of the European Year of Skills", "@language": "en"},
        "dct:description": {"@value": (
            "Every published event of the European Year of Skills platform (cancelled ones marked as "
            "such): title, summary, dates, place or online format, language, topics, audience, "
            "accessibility and organiser. schema.org Event and SEMIC Core Public Event Vocabulary terms "
            "in JSON-LD, and CSV. Regenerated daily. No personal data."), "@language": "en"},
        "dcat:keyword": [{"@value": word, "@language": "en"} for word in ("events", "skills", "training", "education")],
        "dcat:theme": [{"@id": f"{authority}data-theme/EDUC"}, {"@id": f"{authority}data-theme/ECON"}],
        "dct:accrualPeriodicity": {"@id": f"{authority}frequency/DAILY"},
        "dct:spatial": {"@id": f"{authority}continent/EUROPE"},
        "dct:language": [{"@id": f"{authority}language/{code}"} for code in EU_LANGUAGE_AUTHORITY],
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": settings.EYOS_OPEN_DATA_PUBLISHER},
        "dcat:contactPoint": {"@type": "vcard:Organization", "vcard:fn": settings.EYOS_OPEN_DATA_PUBLISHER,
                              "vcard:hasURL": {"@id": f"{base_url}/"}},
        "dcat:landingPage": {"@id": f"{base_url}/api/v1/docs"},
        "dct:conformsTo": [{"@id": "https://schema.org/Event"},
                           {"@id": "https://semiceu.github.io/Core-Public-Event-Vocabulary/releases/1.1.0/"}],
        "dct:license": {"@id": records.LICENSE_EU_AUTHORITY},
        "dcat:distribution": distributions,
    }
    if modified:
        dataset["dct:modified"] = {"@value": modified.isoformat(), "@type": "xsd:dateTime"}
    return {
        "@context": {
            "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
            "foaf": "http://xmlns.com/foaf/0.1/", "vcard": "http://www.w3.org/2006/vcard/ns#",
            "xsd": "http://www.w3.org/2001/XMLSchema#",
        },
        "@id": f"{base_url}/data/catalog.jsonld",
        "@type": "dcat:Catalog",
        "dct:title": {"@value": "EYOS open data", "@language": "en"},
        "dct:description": {"@value": "Open data of the European Year of Skills platform.", "@language": "en"},
        "dct:publisher": {"@type": "foaf:Agent", "foaf:name": settings.EYOS_OPEN_DATA_PUBLISHER},
        "dct:license": {"@id": records.LICENSE_EU_AUTHORITY},
        "foaf:homepage": {"@id": f"{base_url}/"},
        "dcat:dataset": [dataset],
    }


# The EU's language authority codes of the 24 languages the events may be in.
EU_LANGUAGE_AUTHORITY = ("BUL", "CES", "DAN", "DEU", "ELL", "ENG", "SPA", "EST", "FIN", "FRA", "GLE", "HRV",
                         "HUN", "ITA", "LIT", "LAV", "MLT", "NLD", "POL", "POR", "RON", "SLK", "SLV", "SWE")
