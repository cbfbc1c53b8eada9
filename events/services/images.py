"""Event images: an organiser's upload becomes an image of Wagtail's library, in the collection
"Event images" (editors find, reuse and replace them there); renditions are made on first view."""

import logging
import uuid
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import PurePosixPath

from django.db import transaction
from wagtail.images import get_image_model
from wagtail.models import Collection

COLLECTION = "Event images"
logger = logging.getLogger(__name__)

_new_files = ContextVar("new_image_files", default=None)


@contextmanager
def new_files_removed_on_failure():
    """The files of the images created inside the block are deleted from storage when the block
    fails: the transaction forgets their rows, the storage would keep orphan files (an upload the
    service then refused). Also a decorator. Nested blocks hand their files to the block around
    them when they succeed (its failure rolls their rows back too)."""
    outer = _new_files.get()
    created = []
    token = _new_files.set(created)
    try:
        yield
    except BaseException:
        for file in created:
            try:
                file.storage.delete(file.name)
            except Exception:  # the service's own error is the one to report
                logger.warning("An event image's file could not be removed after a failed save", exc_info=True)
        raise
    else:
        if outer is not None:
            outer.extend(created)
    finally:
        _new_files.reset(token)


def _collection():
    """The collection, made by the first upload; the root's row lock keeps two first uploads from
    making two."""
    root = Collection.get_first_root_node()
    Collection.objects.select_for_update().filter(pk=root.pk).first()
    existing = root.get_children().filter(name=COLLECTION).first()
    return existing or root.add_child(name=COLLECTION)


@transaction.atomic
def image_create(*, user, upload, title):
    """A library image from an uploaded file that forms.EventForm has checked (Wagtail's image
    field: format, size, pixels). The file gets a random name: the organiser's file name is not
    published, and an image of a draft cannot be guessed at /media/."""
    upload.name = uuid.uuid4().hex + PurePosixPath(upload.name or "").suffix.lower()[:10]
    image = get_image_model()(title=title[:255] or "Event image", file=upload, collection=_collection(),
                              uploaded_by_user=user if getattr(user, "is_authenticated", False) else None)
    image._set_image_file_metadata()
    image.save()
    if (created := _new_files.get()) is not None:
        created.append(image.file)
    return image


def apply_image(event, data, user):
    """Set or remove the event's image from the form's data; True when it changed."""
    if data.get("image_upload"):
        event.image = image_create(user=user, upload=data["image_upload"], title=event.title)
        return True
    if data.get("remove_image") and event.image_id:
        event.image = None
        return True
    return False
