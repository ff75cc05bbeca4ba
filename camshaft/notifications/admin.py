"""Back office for notifications: the store's mailbox, readable by staff (N4)."""

from django.contrib import admin, messages
from django.utils.html import format_html

from camshaft.core.admin import AuditedPersonalDataAdmin
from camshaft.notifications import services
from camshaft.notifications.models import OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(AuditedPersonalDataAdmin, admin.ModelAdmin):
    # A mail holds its recipient's address and, often, their postal address.
    audit_user_id_attr = None
    audit_email_attr = "to_address"
    list_display = (
        "to_address",
        "subject",
        "category",
        "kind",
        "status",
        "attempts",
        "created_at",
        "sent_at",
    )
    list_filter = ("status", "kind", "category")
    search_fields = ("to_address", "subject", "=reference")
    date_hierarchy = "created_at"
    show_full_result_count = False
    actions = ("retry_now",)
    fieldsets = (
        (None, {"fields": ("to_address", "subject", "category", "kind", "reference")}),
        ("Message", {"fields": ("text_preview", "html_preview", "headers")}),
        (
            "Delivery",
            {
                "fields": (
                    "status",
                    "attempts",
                    "max_attempts",
                    "next_attempt_at",
                    "last_error",
                    "created_at",
                    "sent_at",
                )
            },
        ),
    )
    readonly_fields = (
        "to_address",
        "subject",
        "category",
        "kind",
        "reference",
        "text_preview",
        "html_preview",
        "headers",
        "status",
        "attempts",
        "max_attempts",
        "next_attempt_at",
        "last_error",
        "created_at",
        "sent_at",
    )

    # The mailbox is a record of what was sent: staff read it, nobody edits it.
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.display(description="Text")
    def text_preview(self, obj):
        return format_html('<pre style="white-space:pre-wrap;margin:0">{}</pre>', obj.body_text)

    @admin.display(description="HTML")
    def html_preview(self, obj):
        if not obj.body_html:
            return "—"
        # An empty sandbox runs no scripts and cannot reach the back office.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="HTML body" '
            'style="width:100%;min-width:600px;height:480px;border:1px solid #ccc"></iframe>',
            obj.body_html,
        )

    @admin.action(description="Retry now", permissions=("retry",))
    def retry_now(self, request, queryset):
        count = services.retry_now(messages=queryset)
        self.message_user(request, f"{count} message(s) queued for delivery.", messages.SUCCESS)
