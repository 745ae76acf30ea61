"""Calendar arithmetic as metrics.md defines it."""

from __future__ import annotations

import calendar
from datetime import date


def add_years(d: date, n: int) -> date:
    """d plus n calendar years; 29 February becomes 28 February in a common year."""
    year = d.year + n
    if d.month == 2 and d.day == 29 and not calendar.isleap(year):
        return date(year, 2, 28)
    return d.replace(year=year)


def add_months(d: date, n: int) -> date:
    """d plus n calendar months, clamped to the month's last day."""
    month0 = d.month - 1 + n
    year, month = d.year + month0 // 12, month0 % 12 + 1
    return date(year, month, min(d.day, calendar.monthrange(year, month)[1]))
