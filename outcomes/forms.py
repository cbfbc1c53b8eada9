from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from .models import OutcomeReport


class WalkInForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=150)
    email = forms.EmailField(label=_("Email (optional, for the certificate)"), required=False)
    language = forms.ChoiceField(label=_("Language of the certificate"), choices=settings.LANGUAGES, initial="en")


class OutcomeReportForm(forms.ModelForm):
    class Meta:
        model = OutcomeReport
        fields = OutcomeReport.FIELDS

    def service_data(self):
        return {field: self.cleaned_data[field] for field in OutcomeReport.FIELDS}
