"""The Solar Hijri calendar of the Persian edition, and Persian digits.

Article addresses keep Gregorian dates; the Persian edition prints dates in
the Solar Hijri calendar and offers archives by its years and months.
"""

import datetime

import jdatetime
from django.utils import timezone

MONTHS = jdatetime.date.j_months_fa
_DIGITS = str.maketrans("0123456789", "۰۱۲۳۴۵۶۷۸۹")


def persian_digits(value):
    return str(value).translate(_DIGITS)


def solar(day):
    """The Solar Hijri date of a Gregorian date (or of a moment, in the site's zone)."""
    if isinstance(day, datetime.datetime):
        day = timezone.localtime(day).date()
    return jdatetime.date.fromgregorian(date=day)


def solar_text(day):
    """ "۱ اردیبهشت ۱۳۹۵" for 20 April 2016."""
    date = solar(day)
    return persian_digits(f"{date.day} {MONTHS[date.month - 1]} {date.year}")


def month_text(year, month):
    return f"{MONTHS[month - 1]} {persian_digits(year)}"


def solar_range(year, month=None):
    """The moments a Solar Hijri year, or one of its months, begins and ends, as a range."""
    start = jdatetime.date(year, month or 1, 1)
    if month is None or month == 12:
        end = jdatetime.date(year + 1, 1, 1)
    else:
        end = jdatetime.date(year, month + 1, 1)

    def moment(day):
        return timezone.make_aware(datetime.datetime.combine(day.togregorian(), datetime.time()))

    return moment(start), moment(end)
