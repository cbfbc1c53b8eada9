"""Bulk import of events (events/imports.py): upload, preview with each row's errors and likely
duplicates, confirmation. Organisers import into the moderation queue for their organisation;
coordinators import published events for an organisation of a country they coordinate."""

import csv
import io

from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from coordinators import permissions

from .. import imports
from ..forms import ChoiceOfModelField
from ..models import Organisation
from .common import rate_limited


class UploadForm(forms.Form):
    organisation = ChoiceOfModelField(label=gettext_lazy("Organisation"), queryset=Organisation.objects.none())
    file = forms.FileField(
        label=gettext_lazy("File"),
        help_text=gettext_lazy("CSV (comma or semicolon separated, UTF-8) or Excel (.xlsx), at most "
                               "2,000 events and 5 MB, with the template's column names."),
    )

    def __init__(self, *args, organisations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = organisations
        if len(organisations) == 1:
            self.initial.setdefault("organisation", organisations[0].pk)


def _organisations(request):
    return permissions.importable_organisations(request.user).order_by("name")


@login_required
@rate_limited
def upload(request):
    organisations = _organisations(request)
    form = UploadForm(request.POST or None, request.FILES or None, organisations=organisations)
    if request.method != "POST":
        return render(request, "events/organise/import_upload.html", {"form": form})
    if not form.is_valid():
        return render(request, "events/organise/import_upload.html", {"form": form}, status=400)
    organisation = form.cleaned_data["organisation"]
    try:
        rows = imports.parse_upload(form.cleaned_data["file"])
    except imports.ImportFileError as error:
        form.add_error("file", str(error))
        return render(request, "events/organise/import_upload.html", {"form": form}, status=400)
    results = imports.validate(rows, organisation)
    token = imports.stash(user=request.user, organisation=organisation, rows=rows)
    return render(request, "events/organise/import_preview.html", {
        "organisation": organisation, "results": results, "token": token,
        "good": sum(result.ok for result in results), "bad": sum(not result.ok for result in results),
        "publishes": permissions.can_publish_directly(request.user, organisation.country.code),
    })


@login_required
@rate_limited
@require_POST
def confirm(request):
    token = request.POST.get("token", "")
    entry = imports.stashed(user=request.user, token=token)
    organisation = entry and _organisations(request).filter(pk=entry["organisation"]).first()
    if not entry or organisation is None:
        return render(request, "events/organise/import_expired.html", status=400)
    results = imports.validate(entry["rows"], organisation)
    created = imports.import_rows(user=request.user, organisation=organisation, results=results)
    imports.forget(token)
    return render(request, "events/organise/import_result.html", {
        "organisation": organisation, "created": len(created),
        "skipped": [result for result in results if not result.ok],
        "publishes": permissions.can_publish_directly(request.user, organisation.country.code),
    })


@login_required
def template_csv(request):
    out = io.StringIO()
    out.write("\ufeff")
    csv.writer(out).writerow(imports.COLUMN_NAMES)
    response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="events-template.csv"'
    return response


@login_required
def template_xlsx(request):
    import openpyxl

    book = openpyxl.Workbook()
    sheet = book.active
    sheet.title = "events"
    sheet.append(imports.COLUMN_NAMES)
    help_sheet = book.create_sheet(_("Help"))
    help_sheet.append([_("Column"), _("What to write")])
    for name, text in imports.COLUMNS:
        help_sheet.append([name, str(text)])
    out = io.BytesIO()
    book.save(out)
    response = HttpResponse(
        out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = 'attachment; filename="events-template.xlsx"'
    return response
