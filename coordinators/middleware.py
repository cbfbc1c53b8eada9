import re

from allauth.mfa.utils import is_mfa_enabled
from django.conf import settings
from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _

from .permissions import must_use_mfa

# Where people who must set up MFA may still go: sign-in, sign-out, re-authentication and the
# MFA pages themselves (allauth, under the language prefix), static files, the health check.
MFA_SETUP_PATHS = re.compile(r"^/(?:[a-z]{2}(?:-[a-z0-9]+)?/accounts/|static/|media/|healthz|i18n/|favicon)", re.I)


class RequireMFAMiddleware:
    """With EYOS_REQUIRE_MFA on, the EU team, coordinators and admin users must set up an
    authenticator before they do anything else, on the admin and on the public site alike; they
    are sent to allauth's setup page (and allauth asks for the code at every sign-in)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if (settings.EYOS_REQUIRE_MFA and request.user.is_authenticated
                and not MFA_SETUP_PATHS.match(request.path_info)):
            if must_use_mfa(request.user) and not is_mfa_enabled(request.user):
                messages.warning(request, _("Your role needs a second step at sign-in. Set up an authenticator "
                                            "app before you go on."))
                return redirect("mfa_activate_totp")
        return self.get_response(request)
