"""Irish: '6 Nollaig 2026, 18:00' (Django's: 'Noll. 6, 2026, 6 i.n.'), decimal point and comma
for thousands, as in Ireland."""

from eyos.formats._common import day_first_inputs

DATE_FORMAT = "j F Y"  # '6 Nollaig 2026'
TIME_FORMAT = "H:i"  # '18:00'
DATETIME_FORMAT = "j F Y, H:i"  # '6 Nollaig 2026, 18:00'
YEAR_MONTH_FORMAT = "F Y"  # 'Nollaig 2026'
MONTH_DAY_FORMAT = "j F"  # '6 Nollaig'
SHORT_DATE_FORMAT = "d/m/Y"  # '06/12/2026'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '06/12/2026 18:00'
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS = day_first_inputs("/")
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
