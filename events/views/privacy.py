"""Data protection for account holders: download one's data, delete one's account."""

import json

from allauth.account.decorators import reauthentication_required
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from .. import selectors, services


@login_required
def my_data(request):
    return render(request, "events/privacy/my_data.html")


# Both ask for the password again (allauth's re-authentication, valid a few minutes): an open
# session on a shared computer is not enough to take away or erase someone's data. A POST made
# before re-authenticating is replayed after it.
@login_required
@require_POST
@reauthentication_required
def my_data_download(request):
    data = selectors.personal_data(request.user)
    response = HttpResponse(json.dumps(data, ensure_ascii=False, indent=2), content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="eyos-my-data-{timezone.localdate()}.json"'
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
@reauthentication_required(allow_get=True)
def account_delete(request):
    if request.method == "POST":
        if request.POST.get("confirm") != "delete":
            messages.error(request, _("Tick the box to confirm that you want to delete your account."))
            return redirect("privacy:delete")
        user = request.user
        logout(request)
        services.account_delete(user=user)
        return render(request, "events/privacy/deleted.html")
    return render(request, "events/privacy/delete.html")
