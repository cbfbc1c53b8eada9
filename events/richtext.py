"""The one definition of what an event description may contain. Applied by Event.save(), so
every writer (forms, services, the admin, imports, the shell) stores only this."""

import nh3

# What organisers may format in a description; everything else (scripts, styles, event handlers,
# images, iframes, javascript: links) is stripped before it is stored. Wagtail renders the rest
# as rich text.
DESCRIPTION_TAGS = {"p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li"}


def sanitise_description(html):
    cleaned = nh3.clean(
        html or "",
        tags=DESCRIPTION_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
    return cleaned.strip()
