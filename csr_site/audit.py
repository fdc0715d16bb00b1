"""The audit trail: who did what, and when, on one admin page.

It is Django's own admin log (`LogEntry`): the admin writes an entry for each
add, change and delete of any model it edits (so redirects, when they come,
are covered as they are), and `record()` adds one for what happens outside
those forms: publishing and unpublishing, merging key words, restoring a
version, importing, removing two-factor devices. Work done from the command
line is entered under the inactive account COMMAND_LINE. Throttled logins are
django-axes' records, shown on the same page (see `AuditTrailAdmin`).
"""

from axes.models import AccessAttempt
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.db.models import Max
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

COMMAND_LINE = "command-line"


def command_line_user():
    """The account that work done from the command line is entered under; it cannot sign in."""
    User = get_user_model()
    user, created = User.objects.get_or_create(
        **{User.USERNAME_FIELD: COMMAND_LINE}, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def record(user, obj, message, action=CHANGE):
    """Enter in the audit trail that `user` (None: the command line) did `message` to `obj`."""
    if user is None or not user.is_authenticated:
        user = command_line_user()
    return LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        action_flag=action,
        change_message=message,
    )


def record_many(user, objects, message, action=CHANGE):
    """`record()` for many objects at once, in one query."""
    if user is None or not user.is_authenticated:
        user = command_line_user()
    entries = [
        LogEntry(
            user_id=user.pk,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:200],
            action_flag=action,
            change_message=message,
        )
        for obj in objects
    ]
    return LogEntry.objects.bulk_create(entries)


class AuditTrailAdmin(admin.ModelAdmin):
    """Every entry of the admin log, read-only, with the recent lockouts above it."""

    list_display = ["action_time", "user", "action", "content_type", "object_link", "message"]
    list_filter = ["action_flag", "content_type", ("user", admin.RelatedOnlyFieldListFilter)]
    list_select_related = ["user", "content_type"]
    search_fields = ["object_repr", "change_message", "user__username"]
    date_hierarchy = "action_time"
    change_list_template = "admin/admin/logentry/audit_trail.html"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description=_("action"), ordering="action_flag")
    def action(self, entry):
        return entry.get_action_flag_display()

    @admin.display(description=_("object"))
    def object_link(self, entry):
        if entry.is_deletion():
            return entry.object_repr
        try:
            url = entry.get_admin_url()
        except NoReverseMatch:
            url = None
        return (
            format_html('<a href="{}">{}</a>', url, entry.object_repr) if url else entry.object_repr
        )

    @admin.display(description=_("what was done"))
    def message(self, entry):
        return entry.get_change_message()

    def changelist_view(self, request, extra_context=None):
        cutoff_attempts = settings.AXES_FAILURE_LIMIT
        lockouts = (
            AccessAttempt.objects.filter(failures_since_start__gte=cutoff_attempts)
            .values("username", "ip_address", "failures_since_start")
            .annotate(at=Max("attempt_time"))
            .order_by("-at")[:20]
        )
        context = {
            "lockouts": lockouts,
            "lockouts_url": reverse("admin:axes_accessattempt_changelist"),
            "can_lift": request.user.has_perm("axes.delete_accessattempt"),
            **(extra_context or {}),
        }
        return super().changelist_view(request, context)
