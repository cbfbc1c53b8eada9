from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import BODY_MAX, SUBJECT_MAX
from .services import MAX_OCCURRENCES

EXTRA_LANGUAGES = 3


class CopyForm(forms.Form):
    day = forms.DateField(
        label=_("Date of the copy"), required=False, widget=forms.DateInput(attrs={"type": "date"}),
        help_text=_("Leave empty to keep the same dates; change them before you submit the copy."),
    )


class SeriesForm(forms.Form):
    frequency = forms.ChoiceField(label=_("Repeat"), choices=[
        ("weekly", _("Every week")), ("daily", _("Every day")), ("monthly", _("Every month")),
        ("dates", _("On the dates listed below")),
    ])
    count = forms.IntegerField(
        label=_("Number of occurrences"), min_value=2, max_value=MAX_OCCURRENCES, required=False,
        help_text=_("Including this event; at most %(max)s.") % {"max": MAX_OCCURRENCES},
    )
    dates = forms.CharField(
        label=_("Dates"), required=False, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("One date a line, as YYYY-MM-DD. Each occurrence starts at this event's time."),
    )

    def clean(self):
        data = super().clean()
        if data.get("frequency") == "dates":
            days = []
            for line in (data.get("dates") or "").split():
                try:
                    days.append(forms.DateField().clean(line))
                except ValidationError:
                    self.add_error("dates", _("“%(value)s” is not a date (YYYY-MM-DD).") % {"value": line[:20]})
                    return data
            if not days:
                self.add_error("dates", _("List the dates of the occurrences."))
            data["days"] = days
        elif data.get("frequency") and not data.get("count"):
            self.add_error("count", _("How many occurrences?"))
        return data


class AnnouncementForm(forms.Form):
    language = forms.ChoiceField(label=_("Language of the message"), choices=settings.LANGUAGES)
    subject = forms.CharField(label=_("Subject"), max_length=SUBJECT_MAX)
    body = forms.CharField(label=_("Message"), max_length=BODY_MAX, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text=_("Plain text, at most %(max)s characters.") % {"max": BODY_MAX})
    include_waitlist = forms.BooleanField(label=_("Also send it to the waiting list"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        choices = [("", "—"), *settings.LANGUAGES]
        for n in range(1, EXTRA_LANGUAGES + 1):
            self.fields[f"language_{n}"] = forms.ChoiceField(
                label=_("Other language %(n)s") % {"n": n}, choices=choices, required=False,
                help_text=_("Registrants who use it get this version; the others get the first message."),
            )
            self.fields[f"subject_{n}"] = forms.CharField(
                label=_("Subject in other language %(n)s") % {"n": n}, max_length=SUBJECT_MAX, required=False)
            self.fields[f"body_{n}"] = forms.CharField(
                label=_("Message in other language %(n)s") % {"n": n}, max_length=BODY_MAX, required=False,
                widget=forms.Textarea(attrs={"rows": 5}))

    def clean(self):
        data = super().clean()
        translations = {}
        for n in range(1, EXTRA_LANGUAGES + 1):
            lang, subject, body = data.get(f"language_{n}"), data.get(f"subject_{n}"), data.get(f"body_{n}")
            if not (lang or subject or body):
                continue
            if not lang:
                self.add_error(f"language_{n}", _("Choose the language of this version."))
            elif not (subject and body):
                self.add_error(f"body_{n}", _("Give both a subject and a message for this language."))
            elif lang in translations or lang == data.get("language"):
                self.add_error(f"language_{n}", _("This language has a version already."))
            else:
                translations[lang] = {"subject": subject, "body": body}
        data["translations"] = translations
        return data
