"""Editors translate pages through wagtail-localize; the translation is served under /fr/."""

import pytest
from wagtail.models import Locale
from wagtail_localize.models import StringTranslation, Translation, TranslationSource
from wagtail_localize.operations import translate_object

from campaigns.models import CampaignIndexPage, CampaignPage

pytestmark = pytest.mark.django_db


def test_campaign_page_translated_with_wagtail_localize_is_served_in_french(
    client, users, django_capture_on_commit_callbacks
):
    index = CampaignIndexPage.objects.get(locale__language_code="en", slug="campaigns")
    page = CampaignPage(
        title="Green skills",
        slug="green-skills",
        intro="Skills for the green transition.",
        body=[("heading", {"text": "Why green skills matter", "level": "h2"})],
    )
    index.add_child(instance=page)
    page.save_revision().publish()
    french = Locale.objects.get(language_code="fr")

    with django_capture_on_commit_callbacks(execute=True):
        translate_object(page, [french], user=users["admin"])
    source = TranslationSource.objects.get(object_id=page.translation_key)
    translation = Translation.objects.get(source=source, target_locale=french)

    french_text = {
        "Green skills": "Compétences vertes",
        "Skills for the green transition.": "Des compétences pour la transition verte.",
        "Why green skills matter": "Pourquoi les compétences vertes comptent",
        "green-skills": "competences-vertes",
    }
    for segment in source.stringsegment_set.select_related("string", "context"):
        StringTranslation.objects.create(
            translation_of=segment.string,
            locale=french,
            context=segment.context,
            data=french_text[segment.string.data],
        )
    # wagtail-localize publishes after commit, as it would at the end of the editor's request.
    with django_capture_on_commit_callbacks(execute=True):
        translation.save_target(user=users["admin"], publish=True)

    translated = page.get_translation(french)
    assert translated.live
    response = client.get("/fr/campaigns/competences-vertes/")
    assert response.status_code == 200
    body = response.content.decode()
    assert '<html lang="fr"' in body
    assert "Compétences vertes" in body
    assert "Pourquoi les compétences vertes comptent" in body
    assert "Why green skills matter" not in body
