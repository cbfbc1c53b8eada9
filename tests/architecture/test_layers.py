"""Imports run one way between layers (read from the source, imports inside functions included):

    models ← permissions, selectors, services ← forms, filters ← views ← urls, wagtail_hooks

- the project's infrastructure (the modules of `eyos`: cache, middleware, worker, headers, …)
  imports no app; its URLconf puts the apps together (`eyos.accounts` and `eyos.templatetags` are
  the site's own apps, not infrastructure);
- models import no layer above them; permissions, selectors and services no form, filter or view;
- no module but URLconfs and admin hooks imports views; a view imports another module's views
  only through the shared helpers (`events.views.common`, `events.views.editing`,
  `coordinators.shortcuts`).

A new import the wrong way fails here with its file and line."""

from .imports import APPS, imports

LAYERS = ("views", "forms", "filters", "services", "selectors", "models", "permissions", "wagtail_hooks",
          "urls", "middleware", "tasks")
COMPOSITION = {"eyos.urls"}  # the root URLconf includes the apps' URLconfs
SHARED_VIEW_HELPERS = {"events.views.common", "events.views.editing", "coordinators.shortcuts"}


def layer(module):
    parts = module.split(".")
    for part in reversed(parts):
        name = part.removesuffix("_urls").removesuffix("_views") if part not in LAYERS else part
        if part.endswith("_urls"):
            return "urls"
        if part.endswith("_views"):
            return "views"
        if name in LAYERS:
            return name
    return parts[-1]


def wrong_way(importer, target):
    here, there = layer(importer), layer(target)
    app = importer.split(".")[0]
    infrastructure = app == "eyos" and len(importer.split(".")) == 2 and importer not in COMPOSITION
    if infrastructure and target.split(".")[0] in set(APPS) - {"eyos"}:
        return "the infrastructure imports an app"
    if there == "views" and here not in ("views", "urls", "wagtail_hooks"):
        return "a module that is not a view imports views"
    if here == "views" and there == "views" and target != importer and target not in SHARED_VIEW_HELPERS:
        return "a view imports another module's views"
    if here == "models" and there in ("views", "forms", "filters", "services", "selectors", "permissions",
                                      "tasks", "wagtail_hooks", "urls"):
        return "models import a layer above them"
    if here in ("permissions", "selectors", "services") and there in ("views", "forms", "filters",
                                                                     "wagtail_hooks", "urls"):
        return f"{here} import {there}"
    if here == "forms" and there in ("views", "wagtail_hooks", "urls"):
        return "forms import views"
    return None


def test_imports_run_one_way():
    found = [(module, target, line, reason) for module, target, line in imports()
             if (reason := wrong_way(module, target))]
    assert found == [], "\n".join(f"{module} line {line} imports {target}: {reason}"
                                  for module, target, line, reason in found)


def test_the_rules_catch_what_they_name():
    """Negative controls: the imports the review found, as they were."""
    assert wrong_way("coordinators.permissions", "events.forms") == "permissions import forms"
    assert wrong_way("events.selectors", "events.filters") == "selectors import filters"
    assert wrong_way("eyos.middleware", "coordinators.permissions") == "the infrastructure imports an app"
    assert wrong_way("events.views.organise", "events.views.public") == "a view imports another module's views"
    assert wrong_way("series.views", "events.views.organise") == "a view imports another module's views"
    assert wrong_way("outcomes.admin_views", "coordinators.views") == "a view imports another module's views"
    assert wrong_way("events.models", "events.services") == "models import a layer above them"
    assert wrong_way("events.views.public", "events.views.common") is None
    assert wrong_way("eyos.urls", "opendata.urls") is None


def test_the_reader_sees_every_module():
    modules = {module for module, _target, _line in imports()}
    assert {"events.views.public", "coordinators.permissions", "eyos.middleware", "partnerfeeds.services"} <= modules
