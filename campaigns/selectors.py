"""Reads of CMS content that other apps need."""

from django.conf import settings

from campaigns.models import PrivacyPage


def privacy_notice(language):
    """The live privacy notice in `language`, else in the site's default language, else None."""
    pages = {page.locale.language_code: page for page in
             PrivacyPage.objects.live().filter(locale__language_code__in={language, settings.LANGUAGE_CODE})
             .select_related("locale")}
    return pages.get(language) or pages.get(settings.LANGUAGE_CODE)


def consent_version(language):
    """What a person accepts when they tick the consent box: the consent wording of the form
    (EYOS_CONSENT_VERSION, changed with the code) and the privacy notice it links to, as published
    in the CMS at that moment: "2026-11-v1+fr-r42" is revision 42 of the French notice. The
    revision stays in Wagtail's history, so the exact text can be shown later."""
    page = privacy_notice(language)
    if page is None or page.live_revision_id is None:
        return settings.EYOS_CONSENT_VERSION
    # 40 characters at most: EYOS_CONSENT_VERSION is held to 24 by a system check (eyos.E001).
    return f"{settings.EYOS_CONSENT_VERSION}+{page.locale.language_code}-r{page.live_revision_id}"
