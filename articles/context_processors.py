"""What every template knows of the edition it is rendered in (see `editions.py`)."""

from django.conf import settings
from django.utils import timezone
from django.utils.translation import get_language_info

from . import calendar, editions


def site(request):
    other = editions.other()
    today = timezone.localdate()
    return {
        "SITE_NAME": editions.site_name(),
        "SITE_ADDRESS": editions.localised(settings.SITE_ADDRESS, settings.SITE_ADDRESS_FA),
        "CONTACT_EMAIL": settings.CONTACT_EMAIL,
        "COPYRIGHT_YEAR": (
            calendar.solar(today).year if editions.current() == editions.PERSIAN else today.year
        ),
        "TEXT_DIR": editions.direction(),
        "OTHER_EDITION": {
            "code": other,
            "dir": editions.direction(other),
            "name": get_language_info(other)["name_local"],
            "home": editions.reverse_in(other, "articles:home"),
            "site_name": editions.localised(settings.SITE_NAME, settings.SITE_NAME_FA, other),
        },
    }
