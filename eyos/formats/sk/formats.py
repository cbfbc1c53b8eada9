"""Slovak: the month in the genitive ('6. decembra 2026'; Django's: '6. december 2026'); the
rest is Django's. The genitive names come from locale_overrides/sk."""

DATE_FORMAT = "j. E Y"  # '6. decembra 2026'
DATETIME_FORMAT = "j. E Y G:i"  # '6. decembra 2026 18:00'
MONTH_DAY_FORMAT = "j. E"  # '6. decembra'
