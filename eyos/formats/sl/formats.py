"""Slovenian: '6. decembra 2026, 18:00', short dates with spaces ('6. 12. 2026'); Django's wrote
'06. december 2026' and '6.12.2026. 18:00'. The genitive month names come from
locale_overrides/sl."""

DATE_FORMAT = "j. E Y"  # '6. decembra 2026'
DATETIME_FORMAT = "j. E Y, H:i"  # '6. decembra 2026, 18:00'
MONTH_DAY_FORMAT = "j. E"  # '6. decembra'
SHORT_DATE_FORMAT = "j. n. Y"  # '6. 12. 2026'
SHORT_DATETIME_FORMAT = "j. n. Y H:i"  # '6. 12. 2026 18:00'
FIRST_DAY_OF_WEEK = 1  # Monday
