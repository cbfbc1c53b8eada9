from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from django_countries.fields import CountryField


class CoordinatorAssignment(models.Model):
    """A national coordinator for one country. A person may coordinate several countries and a
    country may have several coordinators."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coordinator_assignments",
        verbose_name=_("user"),
    )
    country = CountryField(_("country"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coordinator assignment")
        verbose_name_plural = _("coordinator assignments")
        constraints = [
            models.UniqueConstraint(fields=["user", "country"], name="one_assignment_per_country")
        ]

    def __str__(self):
        return f"{self.user} – {self.country.name}"
