"""Input formats for languages that write the day first: what a visitor may type into a date
field (ISO first, as Django keeps it). Django's fallbacks for languages it has no formats for are
American (10/25/2006 as 25 October)."""


def day_first_inputs(separator):
    """(DATE_INPUT_FORMATS, DATETIME_INPUT_FORMATS) for dates written day, month, year with
    `separator` ("/" or ".")."""
    dates = ["%Y-%m-%d", f"%d{separator}%m{separator}%Y", f"%d{separator}%m{separator}%y"]
    times = ["%H:%M:%S", "%H:%M:%S.%f", "%H:%M"]
    return dates, [f"{date} {time}" for date in dates for time in times]
