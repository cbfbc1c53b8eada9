"""Format overrides by language (settings.FORMAT_MODULE_PATH). Only English needs one: Django's
`en` formats are American, and this is a European site."""
