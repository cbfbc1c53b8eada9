"""A GiST index on published events' time ranges, for the events under way at a moment
(events.selectors.under_way): the campaign pages' "upcoming events" otherwise walked every past
event in the start index. PostgreSQL only; SQLite has no such index and does not need one at its
scale."""

from django.db import migrations

INDEX = "event_under_way_idx"


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {INDEX} ON events_event "
            "USING gist (tstzrange(start, \"end\", '[]')) WHERE status = 'published'"
        )


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("events", "0011_event_images")]

    operations = [migrations.RunPython(create, drop, elidable=False)]
