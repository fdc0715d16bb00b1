"""The audit trail in the admin (see `audit.py`)."""

from django.contrib import admin
from django.contrib.admin.models import LogEntry

from .audit import AuditTrailAdmin

admin.site.register(LogEntry, AuditTrailAdmin)
