from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.utils import translation


class AccountAdapter(DefaultAccountAdapter):
    """Remembers the language a person signed up in, so later mail reaches them in it."""

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
