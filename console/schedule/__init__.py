"""The platform's cron dialect, next fires, fast timeline counts, descriptions. Pure."""
