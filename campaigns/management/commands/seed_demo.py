import logging
from contextlib import contextmanager

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from campaigns.demo import seed_pages
from eyos.accounts.demo import DEMO_ACCOUNTS, DEMO_PASSWORD, seed_accounts
from events.demo import seed_events


class Command(BaseCommand):
    help = "Create the demo locales, pages and accounts. Idempotent; refuses to run with DEBUG off."

    def add_arguments(self, parser):
        parser.add_argument(
            "--force", action="store_true", help="Run even with DEBUG off (never on a real site)."
        )
        parser.add_argument("--quiet-accounts", action="store_true", help="Do not print accounts.")

    def handle(self, *args, force=False, quiet_accounts=False, **options):
        if not settings.DEBUG and not force:
            raise CommandError(
                "seed_demo creates accounts with a public password; it refuses to run with DEBUG "
                "off. Use --force only on a throwaway database."
            )
        with quiet_audit_log(options.get("verbosity", 1) < 2):
            self.stdout.write("Seeding locales and pages…")
            seed_pages()
            self.stdout.write("Seeding demo accounts…")
            users = seed_accounts()
            self.stdout.write("Seeding organisations, topics and events…")
            seed_events(users)
        self.stdout.write(self.style.SUCCESS("Demo data is ready."))
        if not quiet_accounts:
            self.stdout.write(f"\nDemo accounts (password: {DEMO_PASSWORD}):")
            for email, role, *_rest in DEMO_ACCOUNTS:
                self.stdout.write(f"  {email:<30} {role}")


@contextmanager
def quiet_audit_log(quiet):
    """Wagtail logs every page it creates, edits and publishes at INFO (hundreds of lines for the
    demo pages), which buried the rest of `make run`'s output; -v 2 shows them."""
    wagtail_logger = logging.getLogger("wagtail")
    level = wagtail_logger.level
    if quiet:
        wagtail_logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        wagtail_logger.setLevel(level)
