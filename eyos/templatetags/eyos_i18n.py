"""Language switcher, hreflang alternates, and links that keep the visitor where they are.

On a CMS page the switcher goes to that page's translation, or to the language's home page when
the page has none; on other views (events, accounts) it swaps the language prefix of the URL."""

from dataclasses import dataclass
from functools import lru_cache

from django import template
from django.conf import settings
from django.conf.locale import LANG_INFO
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.urls import translate_url
from django.utils import translation
from django.utils.encoding import escape_uri_path, iri_to_uri
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.translation import gettext
from wagtail.models import Page

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool
    exists: bool  # False when we fall back to the language's home page


def _home_urls(request):
    from campaigns.models import HomePage

    homes = HomePage.objects.live().select_related("locale")
    return {home.locale.language_code: home.get_url(request) for home in homes}


@register.simple_tag(takes_context=True)
def language_links(context):
    cached = context.get("_eyos_language_links")
    if cached is not None:
        return cached
    request = context.get("request")
    current = translation.get_language()
    page = context.get("page")
    links = []
    if isinstance(page, Page) and page.pk:
        translations = {
            p.locale.language_code: p.get_url(request)
            for p in page.get_translations(inclusive=True).live().select_related("locale")
        }
        homes = None
        for code, _name in settings.LANGUAGES:
            url = translations.get(code)
            exists = url is not None
            if url is None:
                homes = homes if homes is not None else _home_urls(request)
                url = homes.get(code, f"/{code}/")
            links.append(LanguageLink(code, LANG_INFO[code]["name_local"], url, code == current, exists))
    else:
        path = escape_uri_path(request.path) if request else "/"  # as get_full_path writes it
        query = request.META.get("QUERY_STRING", "") if request else ""
        urls = _translated_urls(path, current) if _keepable(request, path) else _translate_all(path)
        links = _plain_links(urls, f"?{iri_to_uri(query)}" if query else "", current)  # as translate_url keeps it
    context["_eyos_language_links"] = links
    return links


def _plain_links(urls, query, current):
    """The switcher's links on a view that is not a CMS page: the same path in every language,
    followed by `query` (as the URL writes it, with its `?`, or a mark put in later)."""
    return [LanguageLink(code, LANG_INFO[code]["name_local"], url + query, code == current, True)
            for (code, _name), url in zip(settings.LANGUAGES, urls)]


def _keepable(request, path):
    """Whether what the language links of this request's view give may be kept by the process:
    not when its URL carries a secret (an email link's token), nor for long addresses."""
    match = getattr(request, "resolver_match", None)
    return (request is not None and len(path) <= 200
            and (match is None or SECRET_ARGUMENTS.isdisjoint(match.kwargs))
            # paths build_absolute_uri joins the plain way (its "common case")
            and path.startswith("/") and not path.startswith("//") and "/./" not in path and "/../" not in path
            and QUERY_MARK not in path)


# Where the query string goes in the kept HTML (letters and digits: neither iri_to_uri nor HTML
# escaping changes it); each request puts its own query there, so no query is kept.
QUERY_MARK = "eyosquerymark4c1d"


def _plain_key(context):
    """(path, active language, origin) when the page is not a CMS page and its language links may
    be kept: the alternates and the switcher are then a function of these and the query string
    alone, and each process writes them once per key, with a mark where each request's query goes
    (format_html over 48 links was ~9% of an event page's first render after a change). Else None."""
    request = context.get("request")
    if request is None or _page(context) is not None:
        return None
    path = escape_uri_path(request.path)
    if not _keepable(request, path):
        return None
    return (path, translation.get_language(), request._current_scheme_host)


def _with_query(context, html):
    """The kept HTML with this request's query string in place of the mark, escaped as the links'
    addresses are (`?` + iri_to_uri(query), then HTML escaping: see language_links)."""
    query = context["request"].META.get("QUERY_STRING", "")
    return mark_safe(html.replace(QUERY_MARK, conditional_escape(f"?{iri_to_uri(query)}") if query else ""))


# The two lists of languages every page has, written here rather than by template loops: 48
# links drawn by the template engine were 10-20 % of an event page's time.
@register.simple_tag(takes_context=True)
def language_alternates(context):
    """<link rel="alternate" hreflang> to each language the page exists in, with absolute URLs."""
    key = _plain_key(context)
    if key is not None:
        return _with_query(context, _plain_alternates(*key))
    request = context.get("request")
    return _alternates_html(language_links(context), lambda url: absolute({"request": request}, url))


@register.simple_tag(takes_context=True)
def language_menu(context):
    """The switcher's items: each language (by its own name), the current one marked, and those
    the page does not exist in going to their home page (said so to screen readers)."""
    key = _plain_key(context)
    if key is not None:
        return _with_query(context, _plain_menu(*key))
    return _menu_html(language_links(context))


def _alternates_html(links, absolute_url):
    return format_html_join("", '\n  <link rel="alternate" hreflang="{}" href="{}">', (
        (link.code, absolute_url(link.url)) for link in links if link.exists))


def _menu_html(links):
    home = format_html(' <span class="visually-hidden">({})</span>', gettext("home page"))
    current = mark_safe(' aria-current="true"')
    return format_html_join("", '\n            <li><a href="{}" hreflang="{}" lang="{}"{}>{}{}</a></li>', (
        (link.url, link.code, link.code, current if link.current else "", link.name, "" if link.exists else home)
        for link in links))


def _marked_links(path, current):
    return _plain_links(_translated_urls(path, current), QUERY_MARK, current)


@lru_cache(maxsize=1024)
def _plain_alternates(path, current, origin):
    # What request.build_absolute_uri(url) gives for such a path (see _keepable); iri_to_uri is
    # idempotent, so the query (already through it) may be put in afterwards.
    return _alternates_html(_marked_links(path, current), lambda url: url if url.startswith(("http://", "https://"))
                            else iri_to_uri(origin + url))


@lru_cache(maxsize=1024)
def _plain_menu(path, current, origin):
    return _menu_html(_marked_links(path, current))


def _translate_all(path):
    return tuple(translate_url(path, code) for code, _name in settings.LANGUAGES)


# URL arguments that carry a secret: invitation and email links, allauth's email confirmation and
# password reset keys (an event's `uid` is public).
SECRET_ARGUMENTS = frozenset({"token", "key", "uidb36", "uidb64"})


@lru_cache(maxsize=1024)
def _translated_urls(path, current):
    """A path (without its query) in every language, for views that are not CMS pages: a function
    of the path and the active language (whose prefix the URL resolver matches) alone, so each
    process works it out once per path (24 resolves and reverses: about a third of a signed-in
    visitor's list page). Bounded in number and length; paths with a secret in their arguments
    are never kept."""
    return _translate_all(path)


def _page(context):
    page = context.get("page")
    return page if isinstance(page, Page) and page.pk else None


def content_language_of(page):
    """The language a page's text is in: its locale's, except for an alias (wagtail-localize makes
    them for pages not yet translated when it syncs a tree), whose text is its source's."""
    source = page.alias_of if page.alias_of_id else page
    return source.locale.language_code


@register.simple_tag(takes_context=True)
def content_language(context):
    """The language of the CMS page's text ("" on other views). Wagtail serves a page that has no
    translation in the active language from the default tree under that language's prefix."""
    page = _page(context)
    return content_language_of(page) if page else ""


@register.simple_tag(takes_context=True)
def page_translations(context):
    """The languages the CMS page really exists in (live, not an alias of another language's
    text), with their URLs, in the order of LANGUAGES: the "not yet translated" notice links them."""
    page = _page(context)
    if page is None:
        return []
    request = context.get("request")
    pages = {p.locale.language_code: p for p in page.get_translations(inclusive=True).live()
             .filter(alias_of__isnull=True).select_related("locale")}
    return [
        LanguageLink(code, LANG_INFO[code]["name_local"], pages[code].get_url(request), False, True)
        for code, _name in settings.LANGUAGES if code in pages
    ]


@register.simple_tag(takes_context=True)
def absolute(context, url):
    request = context.get("request")
    if request is None or url.startswith(("http://", "https://")):
        return url
    return request.build_absolute_uri(url)


@register.simple_tag
def localized_link(url):
    """Editors write site paths without a language (`/events/`); visitors stay in their language."""
    if url.startswith("/") and not url.startswith("//"):
        language = translation.get_language() or settings.LANGUAGE_CODE
        first = url.lstrip("/").split("/", 1)[0]
        if first not in dict(settings.LANGUAGES) and first not in {"feeds", "admin", "documents"}:
            return f"/{language}{url}"
    return url


def in_current_language(url, page_language):
    """A CMS page's URL under the active language's prefix. Wagtail serves a page that has no
    translation in the active language from the default tree under that prefix (/mt/privacy/
    shows the English text, marked lang="en"), so a visitor on Maltese pages stays on them instead
    of being switched to /en/ by a link."""
    import re

    language = translation.get_language()
    if not url or not language or language == page_language or language not in dict(settings.LANGUAGES):
        return url
    return re.sub(rf"^((?:https?://[^/]+)?)/{re.escape(page_language)}/", rf"\1/{language}/", url, count=1)


@register.simple_tag(takes_context=True)
def localurl(context, page):
    """Like {% pageurl %}, but keeps the visitor in the active language (see in_current_language)."""
    url = page.get_url(context.get("request"))
    return in_current_language(url, page.locale.language_code) if getattr(page, "locale_id", None) else url


@register.simple_tag(takes_context=True)
def privacy_url(context):
    """The privacy notice in the current language, else in the default one. Kept until the CMS
    changes (the footer of every page asks, and the registration form), from this process's
    memory while current (events.cache.cached)."""
    from campaigns.selectors import privacy_notice
    from events.cache import cached

    language = translation.get_language() or settings.LANGUAGE_CODE

    def compute():
        page = privacy_notice(language)
        return in_current_language(page.get_url(context.get("request")), page.locale.language_code) if page else ""

    request = context.get("request")
    # Per host: with several Wagtail sites, the page's address can be absolute.
    return cached(("privacy_url", language, request.get_host() if request else ""), compute, labels_only=True)


@register.simple_tag(takes_context=True)
def sign_in_url(context):
    """The sign-in page, coming back here afterwards (`next`), except from the account pages
    themselves and from pages whose URL carries a secret, which must not travel in a query string."""
    from urllib.parse import quote

    from django.urls import reverse

    url = reverse("account_login")
    request = context.get("request")
    match = getattr(request, "resolver_match", None)
    if (request is None or request.path == url or match is None or "token" in match.kwargs
            or (match.url_name or "").startswith("account_")):
        return url
    return f"{url}?next={quote(request.get_full_path(), safe='/')}"


# Open Graph wants a locale (language_TERRITORY), not a language code: the usual territory of each
# of the Year's languages; any other language keeps its code.
OG_LOCALES = {
    "bg": "bg_BG", "cs": "cs_CZ", "da": "da_DK", "de": "de_DE", "el": "el_GR", "en": "en_GB", "es": "es_ES",
    "et": "et_EE", "fi": "fi_FI", "fr": "fr_FR", "ga": "ga_IE", "hr": "hr_HR", "hu": "hu_HU", "it": "it_IT",
    "lt": "lt_LT", "lv": "lv_LV", "mt": "mt_MT", "nl": "nl_NL", "pl": "pl_PL", "pt": "pt_PT", "ro": "ro_RO",
    "sk": "sk_SK", "sl": "sl_SI", "sv": "sv_SE", "is": "is_IS", "no": "nb_NO", "nb": "nb_NO", "tr": "tr_TR",
    "sq": "sq_AL", "sr": "sr_RS", "mk": "mk_MK", "uk": "uk_UA", "bs": "bs_BA", "ka": "ka_GE", "ro-md": "ro_MD",
}


@register.filter
def og_locale(language_code):
    """'fr' → 'fr_FR' for og:locale."""
    code = (language_code or "").lower()
    return OG_LOCALES.get(code, code.replace("-", "_"))


@receiver(setting_changed)
def _settings_changed(*, setting, **_kwargs):
    """What each process keeps of the language links follows the languages and the URLs."""
    if setting in ("LANGUAGES", "LANGUAGE_CODE", "ROOT_URLCONF", "PREPEND_WWW", "USE_X_FORWARDED_HOST"):
        for kept in (_translated_urls, _plain_alternates, _plain_menu):
            kept.cache_clear()
