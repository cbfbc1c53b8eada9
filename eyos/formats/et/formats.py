"""Estonian: '6. detsember 2026, 18:00' (Django's: 'dets. 6, 2026, 6 p.l.'); the rest is Django's."""

from eyos.formats._common import day_first_inputs

DATETIME_FORMAT = "j. F Y, G:i"  # '6. detsember 2026, 18:00'
SHORT_DATETIME_FORMAT = "d.m.Y G:i"  # '06.12.2026 18:00'
FIRST_DAY_OF_WEEK = 1  # Monday
DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS = day_first_inputs(".")
NUMBER_GROUPING = 3  # '1 234 567,50'
