"""Swedish: Django's, except that date fields read '12/06/2026' as 6 December, never the American
way (Django's Swedish input formats are month first)."""

DATE_INPUT_FORMATS = ["%Y-%m-%d", "%y-%m-%d", "%d/%m/%Y", "%d/%m/%y"]
DATETIME_INPUT_FORMATS = [f"{date} {time}" for date in DATE_INPUT_FORMATS
                          for time in ("%H:%M:%S", "%H:%M:%S.%f", "%H:%M")]
