"""The URLconf walked once for the tests that must cover every URL (permission matrix, hostile
input): a new view is tested without anyone remembering to add it."""

from django.urls import URLPattern, URLResolver, get_resolver


def named_urls(resolver=None, namespace=""):
    """(namespace, name, pattern) for every named URL pattern."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            child = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from named_urls(entry, child)
        elif isinstance(entry, URLPattern) and entry.name:
            yield namespace, entry.name, entry.pattern


def every_pattern(resolver=None, prefix="", namespace=""):
    """(namespace, name, route, pattern) for every URL pattern, named or not, with its full route
    (the language prefix of i18n_patterns included, as the active language gives it)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            child = f"{namespace}:{entry.namespace}".strip(":") if entry.namespace else namespace
            yield from every_pattern(entry, route, child)
        else:
            yield namespace, entry.name, route, entry
