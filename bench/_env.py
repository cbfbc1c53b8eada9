"""What every benchmark does before Django starts: it decides its own configuration instead of
inheriting the caller's. An exported DJANGO_SETTINGS_MODULE, DATABASE_URL, REDIS_URL or EYOS_*
variable (a developer's shell, CI) must not change what is measured, nor point a benchmark that
empties its database at data someone cares about."""

import os

# Read by eyos/settings (see README, "Configuration"), or by Django itself.
_PREFIXES = ("DJANGO_", "EYOS_", "REDIS_", "EMAIL_", "SECURE_", "SESSION_COOKIE_", "CSRF_")
_NAMES = {"DATABASE_URL", "SECRET_KEY", "ALLOWED_HOSTS", "SITE_URL", "MEDIA_ROOT", "DEFAULT_FROM_EMAIL",
          "WEB_CONCURRENCY", "GUNICORN_CMD_ARGS", "PORT"}


def _settings_variable(name):
    if name.startswith("EYOS_BENCH_"):  # the benchmarks' own knobs
        return False
    return name in _NAMES or name.startswith(_PREFIXES)


def set_environment(**values):
    """Drop every variable the settings read, then set `values`, in this process (before
    django.setup()) and so for every process it starts. Returns the caller's variables that were
    dropped or replaced by another value."""
    ignored = sorted(name for name in os.environ if _settings_variable(name)
                     and (name not in values or os.environ[name] != str(values[name])))
    for name in ignored:
        del os.environ[name]
    os.environ.update({name: str(value) for name, value in values.items()})
    return ignored


def describe(ignored):
    return f"ignored from the caller's environment: {', '.join(ignored)}" if ignored else ""
