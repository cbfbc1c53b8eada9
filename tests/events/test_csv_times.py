"""Times in the CSV exports: the event's own zone, to the minute (not UTC ISO with microseconds)."""

import csv
import io
from datetime import UTC, datetime

import pytest

from events import services
from events.models import Event, Registration
from tests import factories


def rows(response):
    assert response.status_code == 200
    return list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode().lstrip("\ufeff"))))


@pytest.fixture
def helsinki_event(db):
    member = factories.user()
    org = factories.organisation("FI", members=[member])
    start = datetime(2031, 6, 1, 9, 30, tzinfo=UTC)  # 12:30 in Helsinki (summer, UTC+3)
    event = factories.published_event(org, start=start, end=start.replace(hour=11), timezone="Europe/Helsinki",
                                    title="Helsinki time test")
    registration = services.registration_create(event=event, name="Aino", email="aino@example.org", consent=True,
                                                language="fi")
    Registration.objects.filter(pk=registration.pk).update(
        created_at=datetime(2031, 5, 20, 21, 5, 42, 123456, tzinfo=UTC))  # 00:05 on 21 May in Helsinki
    return {"event": event, "member": member}


def test_registrant_export_gives_times_in_the_events_zone_to_the_minute(client, helsinki_event):
    event = helsinki_event["event"]
    client.force_login(helsinki_event["member"])
    header, row = rows(client.get(f"/en/organise/events/{event.uid}/registrants.csv"))
    line = dict(zip(header, row, strict=True))
    assert line["Event starts"] == "2031-06-01 12:30"
    assert line["Time zone"] == "Europe/Helsinki"
    assert line["Registered"] == "2031-05-21 00:05"
    assert line["Cancelled"] == ""


def test_coordinator_exports_use_the_same_times(client, helsinki_event):
    event = helsinki_event["event"]
    client.force_login(factories.coordinator("FI"))
    header, row = rows(client.get(f"/admin/coordinators/events/{event.uid}/registrants.csv"))[:2]
    assert dict(zip(header, row, strict=True))["Registered"] == "2031-05-21 00:05"
    Event.objects.filter(pk=event.pk).update(start=datetime(2031, 1, 10, 9, 30, tzinfo=UTC))  # winter: UTC+2
    events = rows(client.get("/admin/coordinators/dashboard/FI/events.csv?period=all"))
    ours = [dict(zip(events[0], row, strict=True)) for row in events[1:] if row[0] == "Helsinki time test"]
    assert [row["Starts"] for row in ours] == ["2031-01-10 11:30"]
