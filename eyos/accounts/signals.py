"""One preferred language per person: ours (User.preferred_language, used for emails and
notifications) and Wagtail's (UserProfile.preferred_language, which the admin activates for every
admin view in wagtail.admin.localization.get_localized_response) are kept equal.

A change on either side is copied to the other: the organiser/citizen account form and the demo
write ours, the admin's "Account → Preferences" writes Wagtail's. Wagtail's "Use server language"
(empty) is left alone, so the admin then follows the browser as Wagtail does."""

from django.conf import settings
from django.db.models.signals import post_save


def _languages():
    return {code for code, _name in settings.LANGUAGES}


def user_language_to_profile(sender, instance, created, update_fields=None, raw=False, **kwargs):
    if raw or (update_fields is not None and "preferred_language" not in update_fields):
        return  # e.g. the login's last_login update: nothing to copy, no query
    from wagtail.users.models import UserProfile

    language = instance.preferred_language
    if language not in _languages():
        return
    if created:
        UserProfile.objects.get_or_create(user=instance, defaults={"preferred_language": language})
        return
    updated = UserProfile.objects.filter(user=instance).exclude(preferred_language=language).update(
        preferred_language=language
    )
    if not updated:
        UserProfile.objects.get_or_create(user=instance, defaults={"preferred_language": language})


def profile_language_to_user(sender, instance, raw=False, **kwargs):
    if raw or instance.preferred_language not in _languages():
        return
    # A queryset update: no post_save of the user, so no loop back here.
    type(instance.user).objects.filter(pk=instance.user_id).exclude(
        preferred_language=instance.preferred_language
    ).update(preferred_language=instance.preferred_language)


def connect():
    from django.contrib.auth import get_user_model
    from wagtail.users.models import UserProfile

    post_save.connect(user_language_to_profile, sender=get_user_model(), dispatch_uid="eyos-user-language")
    post_save.connect(profile_language_to_user, sender=UserProfile, dispatch_uid="eyos-profile-language")
