"""Greek: the month in the genitive and the 24-hour clock ('6 Δεκεμβρίου 2026, 18:00'; Django's:
'06/12/2026 6 μμ.'); the rest is Django's."""

DATE_FORMAT = "j E Y"  # '6 Δεκεμβρίου 2026'
TIME_FORMAT = "H:i"  # '18:00'
DATETIME_FORMAT = "j E Y, H:i"  # '6 Δεκεμβρίου 2026, 18:00'
MONTH_DAY_FORMAT = "j E"  # '6 Δεκεμβρίου'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '06/12/2026 18:00'
FIRST_DAY_OF_WEEK = 1  # Monday
