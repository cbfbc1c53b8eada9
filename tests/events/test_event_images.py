"""Event images: an optional upload with its description, Wagtail renditions on cards and the
event page, Open Graph and Twitter previews, a per-topic default, and the media view that serves
them when they are kept on the site's own disk."""

import io
import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image as PILImage
from wagtail.images import get_image_model

from events.models import Event, Topic

from .. import factories

pytestmark = pytest.mark.django_db
S = Event.Status


@pytest.fixture(autouse=True)
def media_on_disk(settings, tmp_path):
    """Images on a real disk, as `make run` and a single-server deployment keep them."""
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}


def png(name="photo.png", size=(1400, 800)):
    buffer = io.BytesIO()
    PILImage.new("RGB", size, (30, 120, 200)).save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def fr(db):
    return {"coordinator": factories.coordinator("FR"), "org": factories.organisation("FR")}


def event_data(fr, **extra):
    start = (timezone.now() + timedelta(days=15)).strftime("%Y-%m-%d")
    return {"country": "FR", "organisation": fr["org"].pk, "title": "Atelier photo", "summary": "Des photos.",
            "language": "fr", "target_audience": "everyone", "format": "onsite", "address": "Place Bellecour",
            "city": "Lyon", "start": f"{start}T09:00", "end": f"{start}T17:00", "timezone": "Europe/Paris",
            "registration_mode": "none", **extra}


def test_an_image_with_its_description_on_the_page_and_in_link_previews(client, fr):
    client.force_login(fr["coordinator"])
    response = client.post("/admin/coordinators/events/new/", event_data(
        fr, image_file=png(), image_alt="Children building a robot"))
    assert response.status_code == 302, response.context["form"].errors
    event = Event.objects.get(title="Atelier photo")
    assert event.image.collection.name == "Event images" and event.image_alt == "Children building a robot"
    assert (event.image.width, event.image.height) == (1400, 800)
    client.logout()
    html = client.get(f"/en/events/{event.uid}/").content.decode()
    og = re.search(r'<meta property="og:image" content="([^"]+)">', html).group(1)
    assert og.startswith("http://testserver/media/images/") and og.endswith(".jpg")
    assert '<meta property="og:image:width" content="1200">' in html
    assert '<meta property="og:image:height" content="630">' in html
    assert '<meta property="og:image:alt" content="Children building a robot">' in html
    assert '<meta name="twitter:card" content="summary_large_image">' in html
    assert re.search(r'<img class="event-image" src="/media/images/[^"]+" width="1200" height="630" '
                     r'alt="Children building a robot">', html)
    assert f'"image": ["{og}"]' in html  # JSON-LD
    served = client.get(og.removeprefix("http://testserver"))
    assert served.status_code == 200 and served["Content-Type"] == "image/jpeg"
    assert PILImage.open(io.BytesIO(b"".join(served.streaming_content))).size == (1200, 630)


def test_an_image_needs_a_description_and_a_real_image(client, fr):
    client.force_login(fr["coordinator"])
    before = (Event.objects.count(), get_image_model().objects.count())
    response = client.post("/admin/coordinators/events/new/", event_data(fr, image_file=png(), image_alt=" "))
    assert response.status_code == 400
    assert response.context["form"].errors["image_alt"] == ["Describe the image for people who cannot see it."]
    fake = SimpleUploadedFile("photo.png", b"not an image at all", content_type="image/png")
    response = client.post("/admin/coordinators/events/new/", event_data(fr, image_file=fake, image_alt="A photo"))
    assert response.status_code == 400 and "image_file" in response.context["form"].errors
    assert (Event.objects.count(), get_image_model().objects.count()) == before


def test_an_image_can_be_replaced_and_removed(client, fr):
    client.force_login(fr["coordinator"])
    client.post("/admin/coordinators/events/new/", event_data(fr, image_file=png(), image_alt="First"))
    event = Event.objects.get(title="Atelier photo")
    edit = f"/admin/coordinators/events/{event.uid}/edit/"
    data = {k: v for k, v in event_data(fr).items() if k not in ("country", "organisation")}
    page = client.get(edit).content.decode()
    assert 'name="remove_image"' in page and 'enctype="multipart/form-data"' in page
    assert client.post(edit, {**data, "image_file": png("second.png"), "image_alt": "Second"}).status_code == 302
    event.refresh_from_db()
    assert event.image.title == "Atelier photo" and event.image_alt == "Second"
    assert client.post(edit, {**data, "remove_image": "on", "image_alt": ""}).status_code == 302
    event.refresh_from_db()
    assert event.image is None
    html = client.get(f"/en/events/{event.uid}/").content.decode()
    assert "og:image" not in html and '<meta name="twitter:card" content="summary">' in html


def test_the_topics_image_stands_in_for_events_without_one(client, fr):
    from events.services.images import image_create

    topic = Topic.objects.filter(locale__language_code="en").order_by("pk").first()
    library_image = image_create(user=fr["coordinator"], upload=png("topic.png"), title="Topic")
    library_image.description = "Solar panels on a roof"
    library_image.save()
    topic.image = library_image
    topic.save()
    plain = factories.published_event(fr["org"], title="Sans image")
    plain.topics.set([topic])
    own = factories.published_event(fr["org"], title="Avec image")
    own.topics.set([topic])
    Event.objects.filter(pk=own.pk).update(
        image=image_create(user=fr["coordinator"], upload=png("own.png"), title="Own"), image_alt="A classroom")
    html = client.get("/en/events/?country=FR").content.decode()
    cards = {title: alt for alt, title in re.findall(r'<img [^>]*alt="([^"]*)"[^>]*>\s*<h3[^>]*><a [^>]*>([^<]+)</a>', html)}
    assert (cards["Sans image"], cards["Avec image"]) == ("Solar panels on a roof", "A classroom")
    assert all(".webp" in tag for tag in re.findall(r'<img [^>]*class="event-card-image"[^>]*>', html))


def test_cards_fetch_their_images_in_one_go(client, fr, django_assert_num_queries):
    """The list's queries do not grow with the number of cards that have an image."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from events.services.images import image_create

    def list_queries():
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/en/events/?country=FR").status_code == 200
        return len(queries.captured_queries)

    picture = image_create(user=fr["coordinator"], upload=png(), title="Shared")
    for n in range(2):
        factories.published_event(fr["org"], image=picture, image_alt=f"Picture {n}")
    client.get("/en/events/?country=FR")  # renditions made once
    two = list_queries()
    for n in range(6):
        factories.published_event(fr["org"], image=picture, image_alt=f"Picture {n}")
    assert list_queries() == two


def test_the_media_view_serves_only_the_image_library(client, settings, tmp_path):
    (tmp_path / "images").mkdir()
    (tmp_path / "images" / "x.txt").write_text("ok")
    (tmp_path / "opendata").mkdir()
    (tmp_path / "opendata" / "secret.txt").write_text("no")
    assert client.get("/media/images/x.txt").status_code == 200
    assert client.get("/media/opendata/secret.txt").status_code == 404
    assert client.get("/media/images/../opendata/secret.txt").status_code == 404


def test_files_and_feeds_carry_no_image_fields():
    from events.imports import ImportEventForm

    form = ImportEventForm({}, topic_map={})
    assert not {"image_file", "image_alt", "remove_image"} & set(form.fields)


def test_a_lost_original_leaves_the_page_up_without_its_image(client, fr, tmp_path):
    client.force_login(fr["coordinator"])
    client.post("/admin/coordinators/events/new/", event_data(fr, image_file=png(), image_alt="Gone"))
    event = Event.objects.get(title="Atelier photo")
    assert not event.image.file.name.startswith("original_images/photo")  # a random name, not the upload's
    for path in tmp_path.rglob("*.*"):
        path.unlink()  # a restore without the media volume
    client.logout()
    response = client.get(f"/en/events/{event.uid}/")
    assert response.status_code == 200 and "og:image" not in response.content.decode()


def test_a_description_edited_in_the_library_shows_at_once(client, fr):
    from events.services.images import image_create

    topic = Topic.objects.filter(locale__language_code="en").order_by("pk").first()
    picture = image_create(user=fr["coordinator"], upload=png("topic.png"), title="Topic")
    picture.description = "Old words"
    picture.save()
    topic.image = picture
    topic.save()
    factories.published_event(fr["org"], title="Sans image").topics.set([topic])
    assert 'alt="Old words"' in client.get("/en/events/?country=FR").content.decode()
    picture.description = "New words"
    picture.save()
    html = client.get("/en/events/?country=FR").content.decode()
    assert 'alt="New words"' in html and 'alt="Old words"' not in html


def test_an_upload_the_service_refuses_leaves_no_file_behind(fr, tmp_path):
    """The form checked the image, the service then refused the event (here: it ends before it
    starts): the image's row is rolled back, and its file is removed from storage with it."""
    from django.core.exceptions import ValidationError

    from events import services

    event = factories.event(fr["org"])
    images = get_image_model().objects.count()
    bad = {"image_upload": png(), "image_alt": "A photo", "end": event.start - timedelta(hours=1)}
    with pytest.raises(ValidationError):
        services.event_update(user=fr["coordinator"], event=event, data=bad)
    with pytest.raises(ValidationError):
        services.event_create(user=fr["coordinator"], organisation=fr["org"],
                              data={**bad, "title": "", "start": event.start, "timezone": "Europe/Paris"})
    assert get_image_model().objects.count() == images
    assert [path for path in tmp_path.rglob("*") if path.is_file()] == []
    services.event_update(user=fr["coordinator"], event=event, data={"image_upload": png(), "image_alt": "Kept"})
    assert len([path for path in tmp_path.rglob("*") if path.is_file()]) == 1  # a success keeps its file
