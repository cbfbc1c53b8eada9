"""Keep each country's page permissions in step with its coordinators and national pages."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from campaigns.models import NationalPage

from . import permissions
from .models import CoordinatorAssignment


def _groups_countries(**filters):
    from django.contrib.auth.models import Group

    prefix = permissions.country_group_name("")
    names = Group.objects.filter(name__startswith=prefix, **filters).values_list("name", flat=True)
    return {name.removeprefix(prefix) for name in names}


@receiver([post_save, post_delete], sender=CoordinatorAssignment)
def assignment_changed(sender, instance, **kwargs):
    # The user's former countries too: an assignment whose country was edited leaves one group.
    countries = {instance.country.code} | _groups_countries(user=instance.user_id)
    for country in countries:
        permissions.sync_country_page_permissions(country)


@receiver([post_save, post_delete], sender=NationalPage)
def national_page_changed(sender, instance, **kwargs):
    countries = {instance.country.code} | _groups_countries(page_permissions__page=instance.pk)
    for country in countries:
        permissions.sync_country_page_permissions(country)
