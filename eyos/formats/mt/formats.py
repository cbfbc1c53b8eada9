"""Maltese, which Django has no formats for (it wrote 'Diċ. 6, 2026, 6 p.m.'): '6 ta' Diċembru
2026, 18:00', decimal point and comma for thousands, as in Malta. Month names come from
locale_overrides/mt."""

from eyos.formats._common import day_first_inputs

DATE_FORMAT = r"j \t\a' F Y"  # "6 ta' Diċembru 2026"
TIME_FORMAT = "H:i"  # '18:00'
DATETIME_FORMAT = r"j \t\a' F Y, H:i"  # "6 ta' Diċembru 2026, 18:00"
YEAR_MONTH_FORMAT = "F Y"  # 'Diċembru 2026'
MONTH_DAY_FORMAT = r"j \t\a' F"  # "6 ta' Diċembru"
SHORT_DATE_FORMAT = "d/m/Y"  # '06/12/2026'
SHORT_DATETIME_FORMAT = "d/m/Y H:i"  # '06/12/2026 18:00'
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS = day_first_inputs("/")
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
