from allauth.account.forms import SignupForm as AllauthSignupForm
from django import forms
from django.conf import settings
from django.contrib.auth import get_user_model
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _


class SignupForm(AllauthSignupForm):
    """allauth's sign-up with a name (organisers and registrations show it; without one they
    showed the address), and its honeypot hidden the way the strict CSP allows: allauth hides it
    with an inline style, which the policy rightly blocks, so it showed as an unlabelled box."""

    template_name_p = "account/_signup_fields.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        User = get_user_model()
        names = {
            "first_name": forms.CharField(label=capfirst(User._meta.get_field("first_name").verbose_name),
                                          max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})),
            "last_name": forms.CharField(label=capfirst(User._meta.get_field("last_name").verbose_name),
                                         max_length=150, required=False,
                                         widget=forms.TextInput(attrs={"autocomplete": "family-name"})),
        }
        self.fields = {**names, **self.fields}
        honeypot = self.fields.get(settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD)
        if honeypot is not None:
            honeypot.label = _("Leave this field empty")
            honeypot.widget.attrs = {"autocomplete": "off", "tabindex": "-1"}
        self.honeypot_name = settings.ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD

    def clean_first_name(self):
        return " ".join(self.cleaned_data["first_name"].split())

    def clean_last_name(self):
        return " ".join(self.cleaned_data["last_name"].split())
