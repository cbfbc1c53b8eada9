"""German: a comma between date and time in full dates ('6. Dezember 2026, 18:00'); the rest is
Django's ('06.12.2026 18:00')."""

DATETIME_FORMAT = "j. F Y, H:i"  # '6. Dezember 2026, 18:00'
