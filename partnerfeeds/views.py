"""Partner feeds in the coordinators' back office (/admin/coordinators/feeds/): the list with
each feed's last result, registering and changing a feed, reading it now, removing it. Feeds of
other countries are a 404 (coordinators.permissions.manageable_feeds)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from coordinators import permissions
from coordinators.shortcuts import coordinator_required

from . import services, tasks
from .forms import FeedForm


def _page(request, template, context, status=200, title=""):
    crumbs = [{"url": reverse("wagtailadmin_home"), "label": _("Home")},
              {"url": reverse("coordinators:feeds"), "label": _("Partner feeds")}]
    if title:
        crumbs.append({"url": "", "label": title})
    context.update(page_title=title or _("Partner feeds"), header_title=title or _("Partner feeds"),
                   breadcrumbs_items=crumbs)
    return TemplateResponse(request, template, context, status=status)


def _feed(request, feed_id):
    return get_object_or_404(permissions.manageable_feeds(request.user).select_related("organisation", "owner"),
                             pk=feed_id)


@coordinator_required
def feed_list(request):
    feeds = permissions.manageable_feeds(request.user).select_related("organisation", "owner")
    return _page(request, "partnerfeeds/feed_list.html", {"feeds": feeds})


def _form_page(request, form, feed=None):
    title = feed.name if feed else _("Register a feed")
    return _page(request, "partnerfeeds/feed_form.html", {"form": form, "feed": feed},
                   status=400 if form.is_bound and form.errors else 200, title=title)


def _save(request, form):
    try:
        return services.feed_save(user=request.user, feed=form.instance)
    except services.FeedInvalid as error:
        form.add_error(None, str(error))
    except PermissionDenied:
        form.add_error("country", _("You do not coordinate this country."))
    return None


@coordinator_required
def feed_create(request):
    form = FeedForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid() and (feed := _save(request, form)):
        if feed.active:
            tasks.fetch_partner_feed.enqueue(feed.pk)
        messages.success(request, _("The feed is registered; it is read now and then every hour."))
        return redirect("coordinators:feed", feed_id=feed.pk)
    return _form_page(request, form)


@coordinator_required
def feed_detail(request, feed_id):
    feed = _feed(request, feed_id)
    form = FeedForm(request.POST or None, instance=feed, user=request.user)
    if request.method == "POST" and form.is_valid() and _save(request, form):
        messages.success(request, _("The feed is saved."))
        return redirect("coordinators:feed", feed_id=feed.pk)
    return _form_page(request, form, feed)


@coordinator_required
@require_POST
def feed_fetch_now(request, feed_id):
    feed = _feed(request, feed_id)
    if not feed.active:
        messages.error(request, _("The feed is paused: tick “fetch every hour” first."))
    else:
        tasks.fetch_partner_feed.enqueue(feed.pk)
        messages.success(request, _("The feed will be read in a moment; reload this page to see the result."))
    return redirect("coordinators:feed", feed_id=feed.pk)


@coordinator_required
@require_POST
def feed_delete(request, feed_id):
    feed = _feed(request, feed_id)
    services.feed_delete(user=request.user, feed=feed)
    messages.success(request, _("The feed “%(name)s” is removed; the events it brought stay.") % {"name": feed.name})
    return redirect("coordinators:feeds")
