from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save, pre_delete
from django.utils.translation import gettext_lazy as _


class EventsConfig(AppConfig):
    name = "events"
    verbose_name = _("Events")

    def ready(self):
        from . import checks  # noqa: F401  (registers the system checks)
        from .cache import bump_data_version, bump_events_version, touch_labels
        from .models import Event, Organisation, Registration, Topic

        for model in (Event, Registration, Organisation, Topic):
            post_save.connect(bump_data_version, sender=model, dispatch_uid=f"eyos-version-{model.__name__}")
            post_delete.connect(bump_data_version, sender=model, dispatch_uid=f"eyos-version-del-{model.__name__}")
        m2m_changed.connect(_topics_changed, sender=Event.topics.through, dispatch_uid="eyos-topic-keys")
        # Deleting a topic deletes its links with no m2m_changed: its events' keys follow here.
        pre_delete.connect(_topic_deleting, sender=Topic, dispatch_uid="eyos-topic-keys-pre-delete")
        post_delete.connect(_topic_deleted, sender=Topic, dispatch_uid="eyos-topic-keys-delete")
        m2m_changed.connect(bump_data_version, sender=Event.topics.through, dispatch_uid="eyos-version-topics")
        for model in (Event, Organisation, Topic):  # not Registration: see cache.EVENTS_KEY
            post_save.connect(bump_events_version, sender=model, dispatch_uid=f"eyos-events-{model.__name__}")
            post_delete.connect(bump_events_version, sender=model, dispatch_uid=f"eyos-events-del-{model.__name__}")
        m2m_changed.connect(bump_events_version, sender=Event.topics.through, dispatch_uid="eyos-events-topics")
        # An image edited or deleted in the library changes cards, event pages and topic defaults
        # (a deletion nulls Event.image and Topic.image with no signal of theirs).
        from wagtail.images import get_image_model

        for receiver, name in ((bump_data_version, "version"), (bump_events_version, "events")):
            post_save.connect(receiver, sender=get_image_model(), dispatch_uid=f"eyos-{name}-image")
            post_delete.connect(receiver, sender=get_image_model(), dispatch_uid=f"eyos-{name}-image-del")
        for model in (Topic, Organisation):  # names shown in feeds (see cache.labels_changed_at)
            post_save.connect(touch_labels, sender=model, dispatch_uid=f"eyos-labels-{model.__name__}")
            post_delete.connect(touch_labels, sender=model, dispatch_uid=f"eyos-labels-del-{model.__name__}")
        post_migrate.connect(_schedule_retention, sender=self, dispatch_uid="eyos-retention")
        from django.tasks.signals import task_finished

        task_finished.connect(_event_indexed, dispatch_uid="eyos-event-indexed")


def _topics_changed(sender, instance, action, reverse, pk_set, **_kwargs):
    """Keep Event.topic_key in step with the links, from either side (event.topics or
    topic.events), clears included."""
    from .models import refresh_topic_keys

    if not reverse:
        if action in ("post_add", "post_remove", "post_clear"):
            refresh_topic_keys([instance.pk])
    elif action == "pre_clear":
        instance._events_before_clear = list(instance.events.values_list("pk", flat=True))
    elif action == "post_clear":
        refresh_topic_keys(getattr(instance, "_events_before_clear", ()))
    elif action in ("post_add", "post_remove"):
        refresh_topic_keys(pk_set or ())


def _topic_deleting(sender, instance, **_kwargs):
    instance._events_before_delete = list(instance.events.values_list("pk", flat=True))


def _topic_deleted(sender, instance, **_kwargs):
    from .models import refresh_topic_keys

    refresh_topic_keys(getattr(instance, "_events_before_delete", ()))


INDEX_TASK = "modelsearch.tasks.insert_or_update_object_task"


def _event_indexed(sender, task_result, **_kwargs):
    """The search index is written by a task, after the save that bumped the versions: a search
    cached in between (events.selectors._search_matches) may miss the event, so the events version
    moves again once the event is indexed."""
    from django.tasks import TaskResultStatus

    if (task_result.task.module_path == INDEX_TASK and list(task_result.args[:2]) == ["events", "event"]
            and task_result.status == TaskResultStatus.SUCCESSFUL):
        from .cache import bump_events_version

        bump_events_version()


def _schedule_retention(**_kwargs):
    """Every `migrate` (each deploy, `make run`) makes sure the daily retention run is booked."""
    from .services import schedule_retention

    schedule_retention()
