"""Polish: '6 grudnia 2026 r., 18:00', short dates with points ('06.12.2026'; Django's
'06-12-2026  18:00' had two spaces); the rest is Django's. Month names in lower case come from
locale_overrides/pl."""

DATE_FORMAT = r"j E Y \r."  # '6 grudnia 2026 r.'
DATETIME_FORMAT = r"j E Y \r., H:i"  # '6 grudnia 2026 r., 18:00'
SHORT_DATE_FORMAT = "d.m.Y"  # '06.12.2026'
SHORT_DATETIME_FORMAT = "d.m.Y H:i"  # '06.12.2026 18:00'
