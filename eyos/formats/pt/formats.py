"""European Portuguese: thousands separated by a space ('1 234 567,50'; Django's: a point, as in
Brazil), weeks from Monday; the rest is Django's. Month names in lower case (as since the 1990
spelling agreement) come from locale_overrides/pt."""

THOUSAND_SEPARATOR = "\xa0"  # no-break space
FIRST_DAY_OF_WEEK = 1  # Monday
