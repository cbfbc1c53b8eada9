from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("An email address is required.")
        email = self.normalize_email(email).lower()
        user = self.model(email=email, **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields["is_staff"] = True
        extra_fields["is_superuser"] = True
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, email):
        return self.get(email__iexact=email)


class User(AbstractBaseUser, PermissionsMixin):
    """Email is the login; there is no username."""

    email = models.EmailField(_("email address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    preferred_language = models.CharField(
        _("preferred language"),
        max_length=8,
        choices=settings.LANGUAGES,
        default="en",
        help_text=_("Emails and notifications are sent in this language."),
    )
    # Secret part of the URL of the personal iCal feed of one's registrations; renewing it
    # revokes the old URL. Empty until the feed is first used.
    feed_token = models.CharField(max_length=64, blank=True, default="", db_index=True, editable=False)
    is_staff = models.BooleanField(_("staff status"), default=False)
    is_active = models.BooleanField(_("active"), default=True)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self):
        return self.email

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip() or self.email

    def get_short_name(self):
        return self.first_name or self.email

    # What every signed-in request asks about the user's rights (Wagtail's admin checks, the MFA
    # rule), read from the shared cache under the people version instead of two queries each
    # time: django.contrib.auth's ModelBackend keeps the user's own and their groups' permission
    # names on the user object for the request (_user_perm_cache, _group_perm_cache); they are
    # filled here from events.pagecache.people_cached, which every write to users, groups,
    # permissions or assignments invalidates (at once and on commit), so a right taken away is
    # gone on the next request, on every server. Everything else (other backends, objects,
    # inactive users) is Django's own.

    def _load_permission_names(self):
        if self.pk is None or not self.is_active or hasattr(self, "_user_perm_cache"):
            return
        from django.contrib.auth.backends import ModelBackend

        from events.pagecache import people_cached

        def compute():
            backend, user = ModelBackend(), type(self)(pk=self.pk, is_active=True, is_superuser=self.is_superuser)
            return frozenset(backend.get_user_permissions(user)), frozenset(backend.get_group_permissions(user))

        own, groups = people_cached(("permission_names", self.pk, self.is_superuser), compute)
        self._user_perm_cache, self._group_perm_cache = set(own), set(groups)

    def get_user_permissions(self, obj=None):
        self._load_permission_names()
        return super().get_user_permissions(obj)

    def get_group_permissions(self, obj=None):
        self._load_permission_names()
        return super().get_group_permissions(obj)

    def get_all_permissions(self, obj=None):
        self._load_permission_names()
        return super().get_all_permissions(obj)

    def has_perm(self, perm, obj=None):
        if not self.is_superuser:  # an active superuser has every right without a look-up
            self._load_permission_names()
        return super().has_perm(perm, obj)

    def has_module_perms(self, app_label):
        if not self.is_superuser:
            self._load_permission_names()
        return super().has_module_perms(app_label)
