"""Bulgarian: '6 декември 2026 г., 18:00' (Django's are American: 'Дек. 6, 2026, 6 след обяд').
Month names in lower case come from locale_overrides/bg."""

from eyos.formats._common import day_first_inputs

DATE_FORMAT = r"j F Y \г."  # '6 декември 2026 г.'
TIME_FORMAT = "H:i"  # '18:00'
DATETIME_FORMAT = r"j F Y \г., H:i"  # '6 декември 2026 г., 18:00'
YEAR_MONTH_FORMAT = r"F Y \г."  # 'декември 2026 г.'
MONTH_DAY_FORMAT = "j F"  # '6 декември'
SHORT_DATE_FORMAT = r"d.m.Y \г."  # '06.12.2026 г.'
SHORT_DATETIME_FORMAT = r"d.m.Y \г., H:i"  # '06.12.2026 г., 18:00'
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS = day_first_inputs(".")
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "\xa0"  # no-break space: '1 234 567,50'
NUMBER_GROUPING = 3
