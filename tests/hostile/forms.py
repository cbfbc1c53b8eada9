"""The public forms the hostile input tests fill: the fields each one takes, valid values to get one
hostile value past the others, and the password again that allauth asks before an erasure."""

TEST_PASSWORD = "pw-for-tests-1"  # tests.factories.user's

REGISTRATION = ["name", "email", "consent", "website"]
ORGANISATION = ["name", "country", "website", "homepage"]
EVENT_FIELDS = ["title", "summary", "description", "language", "topics", "target_audience", "format", "online_url",
                "venue", "address", "city", "postcode", "start", "end", "timezone", "step_free_access",
                "sign_language", "captions", "accessibility_notes", "capacity", "registration_mode",
                "external_registration_url", "registration_opens", "registration_closes", "organisation", "homepage"]
# A valid event, so that one hostile value at a time can get past the others.
VALID_EVENT = {"title": "Hostile workshop", "summary": "A workshop.", "language": "en", "target_audience": "everyone",
               "format": "onsite", "address": "1 Main Street", "city": "Lyon", "start": "2031-01-01T10:00",
               "end": "2031-01-01T12:00", "timezone": "Europe/Paris", "registration_mode": "platform"}
CANCEL = ["message", "homepage", "reason"]
JOIN = ["token", "confirm", "organisation"]
DELETE = ["confirm", "password", "email"]
SIGN_UP = ["email", "password1", "password2", "website", "next"]
PASSWORD = "a-long-and-unusual-passphrase-1"
SIGN_IN = ["login", "password", "remember", "next"]


def reauthenticate(client, password=TEST_PASSWORD):
    """What allauth asks before an erasure: the password again."""
    assert client.post("/en/accounts/reauthenticate/", {"password": password}).status_code == 302
