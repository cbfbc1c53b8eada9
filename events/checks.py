from django.conf import settings
from django.core.checks import Error, register

# Registration.consent_version holds "<EYOS_CONSENT_VERSION>+<language>-r<revision>" in 40 chars.
CONSENT_VERSION_MAX = 24


@register()
def consent_version_fits(app_configs=None, **kwargs):
    if len(settings.EYOS_CONSENT_VERSION) > CONSENT_VERSION_MAX:
        return [Error(
            f"EYOS_CONSENT_VERSION is longer than {CONSENT_VERSION_MAX} characters.",
            hint="It is stored with the privacy notice's revision in 40 characters; use a short label "
                 "such as 2026-11-v1.", id="eyos.E001",
        )]
    return []
