"""Wagtail's page view behind the shared page cache: a page for a visitor who is not signed in
comes whole from the cache before Wagtail looks up the site, the page, its translations and its
view restrictions (events/pagecache.py says when a copy is shared and when it is current).

Campaign pages read no query parameters, so `?utm_source=…` and the bare address are one copy; a
page with a view restriction never reaches the cache (a redirect to sign in, or a password form
with the visitor's CSRF token, is never stored), and adding a restriction bumps the pages
version like any other write to a page.

A page's copy is kept under the pages version alone: the only event data campaign pages show is
in their "upcoming events" blocks, which are drawn into each response from copies of their own
under the data version (campaigns.blocks.UpcomingEventsBlock.render, events.pagecache.hole). A
block or template that shows event data must go through `pagecache.hole` too."""

from wagtail import views as wagtail_views

from events import pagecache


def serve(request, path):
    return pagecache.serve_anonymous(request, "page", lambda: wagtail_views.serve(request, path), holes=True)
