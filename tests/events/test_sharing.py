"""What a shared event shows: og:locale as language_TERRITORY, a Twitter card, a share button."""

import re

import pytest

from eyos.templatetags.eyos_i18n import og_locale
from tests import factories

pytestmark = pytest.mark.django_db


def test_og_locale_has_a_territory():
    assert og_locale("fr") == "fr_FR" and og_locale("en") == "en_GB" and og_locale("sl") == "sl_SI"
    assert og_locale("xx") == "xx"


def test_event_page_has_open_graph_twitter_card_and_share_button(client):
    event = factories.published_event(factories.organisation("FR"), language="fr", title="Atelier partagé")
    html = client.get(f"/en/events/{event.uid}/").content.decode()
    assert '<meta property="og:locale" content="fr_FR">' in html
    assert '<meta name="twitter:card" content="summary">' in html
    assert '<meta name="twitter:title" content="Atelier partagé">' in html
    button = re.search(r"<button[^>]*data-share[^>]*>", html).group(0)
    assert f'data-url="http://testserver/en/events/{event.uid}/"' in button and "hidden" in button
    assert "js/share.js" in html
