"""What every template knows of the edition it is rendered in (see `editions.py`)."""

from django.utils.translation import get_language_info

from . import editions


def site(request):
    other = editions.other()
    return {
        "SITE_NAME": editions.site_name(),
        "TEXT_DIR": editions.direction(),
        "OTHER_EDITION": {
            "code": other,
            "dir": editions.direction(other),
            "name": get_language_info(other)["name_local"],
            "home": editions.reverse_in(other, "articles:home"),
        },
    }
