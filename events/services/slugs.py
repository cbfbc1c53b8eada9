"""Slugs for new rows: the text as a slug, made unique among the rows that exist."""

from django.utils.text import slugify

MAX_BASE = 200  # a slug field holds 220: room for "-" and a number


def unique_slug(queryset, text, *, fallback, allow_unicode=False):
    """`text` as a slug that no row of `queryset` has: the slug itself, or the first free one of
    slug-2, slug-3, … One query, however many namesakes exist (a campaign has thousands of
    "Coding workshop"s)."""
    base = slugify(text, allow_unicode=allow_unicode)[:MAX_BASE].strip("-") or fallback
    taken = set(queryset.filter(slug__startswith=base).values_list("slug", flat=True))
    slug, n = base, 2
    while slug in taken:
        slug, n = f"{base}-{n}", n + 1
    return slug
