"""The demo accounts from DESIGN.md. Only `seed_demo` creates them, and it refuses to run with
DEBUG off unless forced, so the shared demo password never reaches a real deployment."""

from allauth.account.models import EmailAddress
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission

DEMO_PASSWORD = "eyos-demo-2023"

DEMO_ACCOUNTS = [
    # email, role shown by `make run`, is_staff, is_superuser, language
    ("admin@example.org", "EU team (superuser)", True, True, "en"),
    ("coordinator-fr@example.org", "national coordinator, France", True, False, "fr"),
    ("coordinator-de@example.org", "national coordinator, Germany", True, False, "de"),
    ("organiser@example.org", "organiser, an organisation in France", False, False, "fr"),
    ("citizen@example.org", "citizen", False, False, "en"),
]

# Names shown to organisers and in emails (fictional).
DEMO_NAMES = {
    "admin@example.org": ("Eva", "Europa"),
    "coordinator-fr@example.org": ("Camille", "Durand"),
    "coordinator-de@example.org": ("Jonas", "Becker"),
    "organiser@example.org": ("Léa", "Martin"),
    "citizen@example.org": ("Ada", "Citizen"),
}

COORDINATORS_GROUP = "National coordinators"


def coordinators_group():
    group, _created = Group.objects.get_or_create(name=COORDINATORS_GROUP)
    group.permissions.add(
        Permission.objects.get(content_type__app_label="wagtailadmin", codename="access_admin")
    )
    return group


def seed_accounts():
    User = get_user_model()
    users = {}
    group = coordinators_group()
    for email, _role, is_staff, is_superuser, language in DEMO_ACCOUNTS:
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User(email=email)
            user.set_password(DEMO_PASSWORD)
        user.is_staff = is_staff
        user.is_superuser = is_superuser
        user.preferred_language = language
        if not user.first_name:
            user.first_name, user.last_name = DEMO_NAMES.get(email, ("", ""))
        user.save()
        EmailAddress.objects.update_or_create(
            user=user, email=email, defaults={"verified": True, "primary": True}
        )
        if email.startswith("coordinator-"):
            user.groups.add(group)
        users[email] = user
    return users
