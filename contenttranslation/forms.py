from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from events.richtext import sanitise_description
from events.widgets import RichTextArea

from .models import EventTranslation


class EventTranslationForm(forms.ModelForm):
    """The organiser's translation of an event: the language, then the three texts."""

    description = forms.CharField(
        label=_("description"), required=False, widget=RichTextArea(),
        help_text=_("Paragraphs, bold, italic, lists and links are kept; other formatting is removed."),
    )

    class Meta:
        model = EventTranslation
        fields = ["language", "title", "summary", "description"]

    def __init__(self, *args, event, **kwargs):
        super().__init__(*args, **kwargs)
        self.event = event
        taken = set(event.translations.exclude(pk=self.instance.pk).values_list("language", flat=True))
        self.fields["language"].choices = [("", "---------")] + [
            (code, name) for code, name in settings.LANGUAGES if code != event.language and code not in taken
        ]
        if self.instance.pk:
            self.fields["language"].disabled = True

    def clean_description(self):
        return sanitise_description(self.cleaned_data.get("description"))
