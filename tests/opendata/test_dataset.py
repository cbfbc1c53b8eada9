"""The open dataset: the daily task writes every public event as JSON-LD (schema.org Event + CPEV
PublicEvent) and CSV, served at stable URLs, described by a DCAT-AP catalogue record; booked once
a day on the task queue; written a chunk at a time."""

import csv
import io
import json
from datetime import timedelta

import pytest
from django.core.files.storage import default_storage
from django.utils import timezone

from events.models import Event
from opendata import dataset, selectors, tasks
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def fresh_storage():
    """Each test starts with no dataset (the in-memory storage lives as long as the process)."""
    for kind in dataset.FORMATS:
        for _stamp, name in dataset._runs(default_storage).get(kind, []):
            default_storage.delete(f"{dataset.FOLDER}/{name}")
    yield default_storage


def public_uids():
    return {str(uid) for uid in Event.objects.filter(status__in=["published", "cancelled"]).values_list("uid", flat=True)}


def test_the_task_writes_every_public_event_as_json_ld_and_csv(client, fresh_storage):
    org = factories.organisation("FR")
    hostile = factories.published_event(org, title='=HYPERLINK("http://evil.example","x")', city="-2+3",
                                        latitude="48.856600", longitude="2.352200", step_free_access=True)
    online = factories.published_event(org, format="online", online_url="https://meet.example.org/secret-room",
                                       address="", city="")
    cancelled = factories.published_event(org, days=-40)
    cancelled.status = Event.Status.CANCELLED
    cancelled.save()
    draft = factories.event(org, title="Secret draft")
    assert client.get("/data/events.jsonld").status_code == 404  # not generated yet

    tasks.build_open_dataset.enqueue()  # the immediate backend runs it now

    response = client.get("/data/events.jsonld")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/ld+json")
    assert '<https://creativecommons.org/licenses/by/4.0/>; rel="license"' in response["Link"]
    document = json.loads(b"".join(response.streaming_content))
    assert document["@context"]["@vocab"] == "https://schema.org/"
    assert document["@context"]["cv"] == "http://data.europa.eu/m8g/"
    graph = {node["identifier"]: node for node in document["@graph"]}
    assert set(graph) == public_uids()
    assert str(draft.uid) not in graph
    for node in graph.values():
        assert node["@type"] == ["Event", "cv:PublicEvent"]
        assert node["startDate"] < node["endDate"]
        assert node["dct:temporal"]["time:hasBeginning"]["time:inXSDDateTimeStamp"]["@value"] == node["startDate"]
    node = graph[str(hostile.uid)]
    assert node["location"]["geo"] == {"@type": "GeoCoordinates", "latitude": 48.8566, "longitude": 2.3522}
    assert node["dct:location"]["locn:adminUnitL1"] == "FR"
    assert node["cv:accessibility"] == "step_free_access"
    assert graph[str(online.uid)]["location"]["@type"] == "VirtualLocation"
    assert graph[str(cancelled.uid)]["eventStatus"] == "https://schema.org/EventCancelled"
    raw = json.dumps(document)
    assert "secret-room" not in raw and "Secret draft" not in raw

    response = client.get("/data/events.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = b"".join(response.streaming_content).decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.DictReader(io.StringIO(text[1:])))
    assert {row["uid"] for row in rows} == public_uids()
    row = next(row for row in rows if row["uid"] == str(hostile.uid))
    assert row["title"].startswith("'=")  # a spreadsheet shows it as text, never runs it
    assert row["city"].startswith("'-")
    assert row["step_free_access"] == "1" and row["country"] == "FR"
    assert "secret-room" not in text


def test_the_catalogue_record_describes_both_files_for_open_data_portals(client, fresh_storage):
    record = json.loads(client.get("/data/catalog.jsonld").content)  # before the first run: no sizes yet
    assert "dcat:byteSize" not in record["dcat:dataset"][0]["dcat:distribution"][0]
    dataset.write_dataset()
    response = client.get("/data/catalog.jsonld")
    assert response["Content-Type"].startswith("application/ld+json")
    record = json.loads(response.content)
    assert record["@type"] == "dcat:Catalog"
    assert record["@context"]["dcat"] == "http://www.w3.org/ns/dcat#"
    (described,) = record["dcat:dataset"]
    assert described["@type"] == "dcat:Dataset"
    assert described["dct:license"]["@id"].endswith("/licence/CC_BY_4_0")
    assert described["dct:accrualPeriodicity"]["@id"].endswith("/frequency/DAILY")
    assert described["dct:title"]["@value"] and described["dct:description"]["@value"]
    assert described["dct:publisher"]["foaf:name"]
    distributions = {d["dcat:downloadURL"]["@id"]: d for d in described["dcat:distribution"]}
    assert set(distributions) == {"http://testserver/data/events.jsonld", "http://testserver/data/events.csv"}
    for url, distribution in distributions.items():
        body = b"".join(client.get(url.removeprefix("http://testserver")).streaming_content)
        assert int(distribution["dcat:byteSize"]["@value"]) == len(body)
        assert distribution["dct:format"]["@id"].rsplit("/", 1)[1] in ("JSON_LD", "CSV")
        assert distribution["dcat:mediaType"]["@id"].startswith("https://www.iana.org/assignments/media-types/")


def test_a_new_run_replaces_the_files_and_old_runs_are_pruned(client, fresh_storage):
    now = timezone.now()
    for days in (3, 2, 1):
        dataset.write_dataset(now=now - timedelta(days=days))
    org = factories.organisation("FR")
    new = factories.published_event(org, title="Brand new")
    dataset.write_dataset(now=now)
    runs = dataset._runs(default_storage)
    assert {kind: len(found) for kind, found in runs.items()} == {"jsonld": dataset.KEEP, "csv": dataset.KEEP}
    body = b"".join(client.get("/data/events.jsonld").streaming_content)
    assert str(new.uid).encode() in body


def test_events_are_read_a_chunk_at_a_time(fresh_storage, django_assert_num_queries, monkeypatch):
    """100,000 events never sit in memory: rows come in chunks (with their topics per chunk)."""
    count = Event.objects.filter(status__in=["published", "cancelled"]).count()
    chunks = -(-count // 50)
    original = selectors.dataset_events
    monkeypatch.setattr(selectors, "dataset_events", lambda: original(chunk_size=50))
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        dataset.write_dataset()
    topic_queries = [q for q in queries.captured_queries if "events_topic" in q["sql"] and "INNER JOIN" in q["sql"]]
    # Two files, each: the events in chunks (one cursor), one topics query per chunk.
    assert len(topic_queries) == 2 * chunks


def test_the_task_books_itself_daily_and_once(monkeypatch, fresh_storage):
    from django.tasks import TaskResultStatus, task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    database = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {}})
    monkeypatch.setattr(task_backends._connections, "default", database, raising=False)
    waiting = DBTaskResult.objects.filter(task_path=tasks.DATASET_TASK, status=TaskResultStatus.READY)
    # A new deployment without files: a run now (and not two).
    tasks.schedule_dataset()
    tasks.schedule_dataset()
    assert waiting.count() == 1
    assert DBTaskResult.objects.ready().filter(task_path=tasks.DATASET_TASK).count() == 1  # due now
    waiting.delete()
    dataset.write_dataset()
    tasks.schedule_dataset()
    tasks.schedule_dataset()
    assert waiting.count() == 1
    assert waiting.get().run_after > timezone.now()
    assert not DBTaskResult.objects.ready().filter(task_path=tasks.DATASET_TASK).exists()  # tomorrow
    from django_tasks_db.management.commands.db_worker import Worker

    waiting.update(run_after=timezone.now() - timedelta(minutes=1))
    due = DBTaskResult.objects.ready().get(task_path=tasks.DATASET_TASK)
    due.claim("test-worker")
    Worker(queue_names=["default"], interval=0, batch=True, backend_name="default", startup_delay=False,
           max_tasks=None, worker_id="test-worker", excluded_queue_names=[]).run_task(due)
    assert DBTaskResult.objects.filter(task_path=tasks.DATASET_TASK, status=TaskResultStatus.SUCCESSFUL).count() == 1
    assert waiting.count() == 1 and waiting.get().run_after > timezone.now() + timedelta(hours=1)


def test_a_long_run_keeps_telling_the_worker_it_is_alive(monkeypatch, fresh_storage):
    """A run longer than EYOS_TASK_STALE_AFTER must not be taken for one whose worker died."""
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import DBTaskResult

    database = DatabaseBackend("default", {"QUEUES": ["default"], "OPTIONS": {}})
    monkeypatch.setattr(task_backends._connections, "default", database, raising=False)
    result = tasks.build_open_dataset.enqueue()
    row = DBTaskResult.objects.get(id=result.id)
    row.claim("test-worker")
    DBTaskResult.objects.filter(id=row.id).update(started_at=timezone.now() - timedelta(minutes=10))
    beats = []
    heartbeat = tasks.Heartbeat(row.id)
    heartbeat.EVERY = 0
    monkeypatch.setattr(dataset, "ALIVE_EVERY", 50)
    dataset.write_dataset(alive=lambda: (beats.append(1), heartbeat()))
    assert len(beats) >= 2 * (public_count() // 50) - 2  # all along both files
    assert DBTaskResult.objects.get(id=row.id).started_at > timezone.now() - timedelta(minutes=1)


def public_count():
    return Event.objects.filter(status__in=["published", "cancelled"]).count()
