"""Minimal data for a fresh production database: one organisation and published events open for
registration, created the way tests/factories.py does, through `manage.py shell -c` (no demo
accounts or passwords, which `seed_demo` refuses to create with DEBUG off).

Run as a script body: reads EYOS_SEED_EVENTS (how many events, default 1) and EYOS_SEED_CAPACITY
(places per event, default 500) and prints one line `EVENT <uid>` per event."""

CODE = r"""
import os, uuid
from datetime import timedelta
from django.utils import timezone
from events.models import Event, Organisation

tag = uuid.uuid4().hex[:8]
org = Organisation.objects.create(name=f"Deploy check {tag}", slug=f"deploy-check-{tag}", country="FR")
start = timezone.now().replace(microsecond=0) + timedelta(days=7)
for n in range(int(os.environ.get("EYOS_SEED_EVENTS", "1"))):
    event = Event.objects.create(
        organisation=org, title=f"Skills workshop {n + 1}", slug=f"skills-workshop-{tag}-{n + 1}",
        summary="A workshop about skills.", country="FR", city="Lyon", address="1 rue de la République",
        start=start + timedelta(hours=n), end=start + timedelta(hours=n + 2), timezone="Europe/Paris",
        status=Event.Status.PUBLISHED, registration_mode=Event.RegistrationMode.PLATFORM,
        capacity=int(os.environ.get("EYOS_SEED_CAPACITY", "500")),
    )
    print("EVENT", event.uid)
"""


def event_uids(output):
    return [line.split()[1] for line in output.splitlines() if line.startswith("EVENT ")]
