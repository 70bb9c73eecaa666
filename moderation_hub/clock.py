"""The one clock for dates: every date rule (academic years, a round's deadline and judging window) reads the UK date.

Schools set and read dates in the UK, so the server's UTC date would be a day behind from 23:00 UTC in summer
time. Tests move the calendar by replacing ``today`` (or ``utcnow``, for an instant) in this module; nothing else
should read the clock for a date.
"""

import datetime as dt
from zoneinfo import ZoneInfo

from moderation_hub.db import utcnow

UK = ZoneInfo("Europe/London")


def today() -> dt.date:
    """The date in the UK now."""
    return uk_date(utcnow())


def uk_date(instant: dt.datetime) -> dt.date:
    """The day it is in the UK at ``instant``: from 23:00 UTC in summer time, already the next day."""
    return instant.astimezone(UK).date()


def current_academic_year(day: dt.date | None = None) -> int:
    """English academic years start on 1 September; 2025 stands for 2025/26. ``day`` defaults to the UK today."""
    day = day or today()
    return day.year if day.month >= 9 else day.year - 1
