from django import forms
from django.utils.translation import gettext_lazy as _

from coordinators import permissions

from . import fetch
from .models import PartnerFeed


class FeedForm(forms.ModelForm):
    class Meta:
        model = PartnerFeed
        fields = ["name", "url", "country", "organisation", "language", "trust", "active"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["country"] = forms.ChoiceField(label=_("country"),
                                                   choices=permissions.coordinator_country_choices(user))
        self.fields["organisation"].queryset = permissions.coordinated_organisations(user).order_by("name")
        self.fields["organisation"].help_text = _("The feed's events are published in its name.")
        self.fields["trust"].widget = forms.RadioSelect(choices=PartnerFeed.Trust.choices)

    def clean_url(self):
        url = self.cleaned_data["url"]
        try:
            scheme, host, port = fetch.check_url(url)
            if host.replace(".", "").isdigit() or ":" in host:  # an address typed as numbers
                fetch.check_address(host)
        except fetch.FetchRefused as error:
            raise forms.ValidationError(str(error)) from None
        except ValueError:
            pass
        return url

    def clean(self):
        cleaned = super().clean()
        organisation, country = cleaned.get("organisation"), cleaned.get("country")
        if organisation and country and organisation.country.code != country:
            self.add_error("organisation", _("The organisation must be of the feed's country."))
        return cleaned
