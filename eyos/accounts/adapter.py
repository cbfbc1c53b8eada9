from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class _Site:
    """What allauth's emails call the site ("Hello from …!", "Thank you from …"): our name, not
    the host the request came in on (django.contrib.sites is not installed)."""

    def __init__(self):
        from urllib.parse import urlsplit

        self.name = str(settings.SITE_NAME)  # in the email's language
        self.domain = urlsplit(settings.SITE_URL).netloc

    def __str__(self):
        return self.name


class AccountAdapter(DefaultAccountAdapter):
    """Remembers the language a person signed up in, so later mail reaches them in it."""

    def send_mail(self, template_prefix, email, context):
        """Rendered now, in the request's language; sent by the task worker (eyos/accounts/tasks.py)."""
        from allauth.core import context as allauth_context

        from .tasks import message_arguments, send_account_email

        values = {"request": allauth_context.request, "email": email, "current_site": _Site(), **context}
        message = self.render_mail(template_prefix, email, values)
        send_account_email.enqueue(**message_arguments(message))

    def save_user(self, request, user, form, commit=True):
        language = translation.get_language() or settings.LANGUAGE_CODE
        if language not in dict(settings.LANGUAGES):
            language = settings.LANGUAGE_CODE
        user.preferred_language = language
        return super().save_user(request, user, form, commit=commit)

    def get_login_redirect_url(self, request):
        """Without a `next`, home in the language the person signed in in, not the browser's."""
        url = super().get_login_redirect_url(request)
        if url == settings.LOGIN_REDIRECT_URL == "/":
            language = translation.get_language() or settings.LANGUAGE_CODE
            if language in dict(settings.LANGUAGES):
                return f"/{language}/"
        return url
