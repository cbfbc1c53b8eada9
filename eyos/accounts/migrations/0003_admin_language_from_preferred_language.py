"""Existing people get the admin in the language they chose for emails (eyos.accounts.signals
keeps the two equal from now on)."""

from django.db import migrations


def copy_languages(apps, schema_editor):
    User = apps.get_model("accounts", "User")
    UserProfile = apps.get_model("wagtailusers", "UserProfile")
    for user_id, language in User.objects.values_list("pk", "preferred_language").iterator():
        profile, created = UserProfile.objects.get_or_create(user_id=user_id, defaults={"preferred_language": language})
        if not created and not profile.preferred_language:
            profile.preferred_language = language
            profile.save(update_fields=["preferred_language"])


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_user_feed_token"),
        ("wagtailusers", "0015_userprofile_keyboard_shortcuts"),
    ]

    operations = [migrations.RunPython(copy_languages, migrations.RunPython.noop)]
