"""The one definition of what an event description may contain. Applied by Event.save(), so
every writer (forms, services, the admin, imports, the shell) stores only this."""

import re

import nh3

_PARAGRAPH = re.compile(r"<p>(.*?)</p>", re.S)
# Two line breaks or more, perhaps with formatting ending or starting between them.
_BLANK_LINES = re.compile(r"<br>(?:\s*</?(?:strong|b|em|i|a)\b[^>]*>)*(?:\s*<br>(?:\s*</?(?:strong|b|em|i|a)\b[^>]*>)*)+")
_TRAILING_BREAKS = re.compile(r"(?:\s*<br>)+\s*$")
# The editor keeps a space next to formatting as &nbsp; (so the browser does not drop it): a
# plain space there, so lines still wrap.
_EDGE_NBSP = re.compile(r"&nbsp;(?=<)|(?<=>)&nbsp;")

# What organisers may format in a description; everything else (scripts, styles, event handlers,
# images, iframes, javascript: links) is stripped before it is stored. Wagtail renders the rest
# as rich text.
DESCRIPTION_TAGS = {"p", "br", "b", "strong", "i", "em", "a", "ul", "ol", "li"}


def _clean(html):
    return nh3.clean(
        html,
        tags=DESCRIPTION_TAGS,
        attributes={"a": {"href"}},
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


def sanitise_description(html):
    cleaned = _clean(html or "")
    paragraphs = _paragraphs(_EDGE_NBSP.sub(" ", cleaned))
    # A split inside bold, italic or a link is repaired by a second pass (the parser closes the
    # element at the paragraph's end and opens it again in the next one).
    return (_clean(paragraphs) if paragraphs != cleaned else cleaned).strip()


def _paragraphs(html):
    """A blank line inside a paragraph (<br><br>, as the description editor writes a paragraph
    break) starts a new paragraph; empty paragraphs and breaks at a paragraph's end go. Works on
    nh3's output, where a <p> never holds another <p> or a list."""

    def split(match):
        parts = (_TRAILING_BREAKS.sub("", part).strip() for part in _BLANK_LINES.split(match.group(1)))
        return "".join(f"<p>{part}</p>" for part in parts if part and part != "&nbsp;")

    return _PARAGRAPH.sub(split, html)
