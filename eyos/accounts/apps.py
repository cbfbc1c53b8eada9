from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "eyos.accounts"
    label = "accounts"
    verbose_name = "Accounts"

    def ready(self):
        from . import signals

        signals.connect()
