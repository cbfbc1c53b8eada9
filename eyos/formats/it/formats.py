"""Italian: '6 dicembre 2026, 18:00' (Django's: 'Domenica 06 Dicembre 2026 18:00'); the rest is
Django's. Month names in lower case come from locale_overrides/it."""

DATE_FORMAT = "j F Y"  # '6 dicembre 2026'
DATETIME_FORMAT = "j F Y, H:i"  # '6 dicembre 2026, 18:00'
