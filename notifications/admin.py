"""Nothing in the Django admin: a notice is one person's own (read on their list),
and a digest hour is set by the institution's coordinator on the settings page."""
