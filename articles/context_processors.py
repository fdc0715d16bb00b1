from django.conf import settings
from django.utils.translation import get_language


def site_name():
    """The institute's name in the current edition's language."""
    return settings.SITE_NAME_FA if get_language() == "fa" else settings.SITE_NAME


def site(request):
    return {"SITE_NAME": site_name()}
