from django.apps import AppConfig


class ContentTranslationConfig(AppConfig):
    name = "contenttranslation"
    verbose_name = "Event translations"
    default_auto_field = "django.db.models.BigAutoField"
