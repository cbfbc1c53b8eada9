"""Lithuanian: thousands separated by a space ('1 234 567,50'; Django's: a point); the rest is
Django's."""

THOUSAND_SEPARATOR = "\xa0"  # no-break space
