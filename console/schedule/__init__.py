"""The platform's cron dialect, next fires, fast timeline counts, descriptions. Pure."""

from console.schedule.describe import describe
from console.schedule.dialect import parse_cron
from console.schedule.fires import next_fires
from console.schedule.spec import CronSpec, CronWarning
from console.schedule.timeline import timeline

__all__ = ["CronSpec", "CronWarning", "describe", "next_fires", "parse_cron", "timeline"]
