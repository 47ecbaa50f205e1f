"""Admin for casework: follow-up letters, read-only.

A letter is drafted, numbered, sent (its PDF rendered once and hashed) and answered through the
casework pages and their services; in the admin it is only shown. A sent letter is evidence; a
draft is edited on its own page, which keeps the numbering and the one-draft rule. Judicial cases
are not in the admin: they are opened, valued and closed on their pages only.
"""

from django.contrib import admin

from core.admin_utils import EvidenceAdmin, JalaliAdmin, jalali

from .models import FollowUpLetter


@admin.register(FollowUpLetter)
class FollowUpLetterAdmin(EvidenceAdmin, JalaliAdmin):
    list_display = ("__str__", "declaration", "kind", "status", "from_office", "to_office", jalali("sent_at", "ارسال"))
    list_filter = ("status", "kind")
    search_fields = ("number", "declaration__serial")
    raw_id_fields = ("declaration", "previous")
    jalali_fields = ("drafted_at", "sent_at", "reply_due_at", "answered_at")
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)
