"""Croatian: the day's month in the genitive ('6. prosinca'; Django's: '6. Prosinac'); the rest
is Django's. Month names in lower case come from locale_overrides/hr."""

MONTH_DAY_FORMAT = "j. E"  # '6. prosinca'
