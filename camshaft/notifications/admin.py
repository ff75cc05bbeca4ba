"""Back office for notifications: the store's mailbox, readable by staff (N4)."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.utils.html import format_html

from camshaft.consent import selectors as consent
from camshaft.consent import services as consent_services
from camshaft.consent.models import Subscription, Suppression
from camshaft.core.admin import AuditedPersonalDataAdmin, RecordAdmin
from camshaft.notifications import services
from camshaft.notifications.models import NewsletterIssue, OutboxMessage


@admin.register(OutboxMessage)
class OutboxMessageAdmin(RecordAdmin, AuditedPersonalDataAdmin, admin.ModelAdmin):
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
    # Subjects are encrypted (V8): mail is found by its recipient or reference.
    search_fields = ("to_address", "=reference")
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

    def has_retry_permission(self, request):
        return request.user.has_perm("notifications.change_outboxmessage")

    @admin.display(description="Text")
    def text_preview(self, obj):
        return format_html('<pre class="mail-text">{}</pre>', obj.body_text)

    @admin.display(description="HTML")
    def html_preview(self, obj):
        if not obj.body_html:
            return "—"
        # An empty sandbox runs no scripts and cannot reach the back office.
        return format_html(
            '<iframe sandbox="" srcdoc="{}" title="HTML body" class="mail-html"></iframe>',
            obj.body_html,
        )

    @admin.action(description="Retry now", permissions=("retry",))
    def retry_now(self, request, queryset):
        count = services.retry_now(messages=queryset)
        self.message_user(request, f"{count} message(s) queued for delivery.", messages.SUCCESS)


# ---------------------------------------------------------------------------
# Newsletter and the do-not-send list (N2, N3)


@admin.register(Subscription)
class SubscriptionAdmin(AuditedPersonalDataAdmin, admin.ModelAdmin):
    """Who gets the newsletter. Staff read it; only the person changes it
    (through their links, preferences or a mail to the store)."""

    audit_email_attr = "email"  # a list of addresses is personal data (A4)
    list_display = ("email", "status", "source", "requested_at", "confirmed_at", "unsubscribed_at")
    list_filter = ("status", "source")
    search_fields = ("=email",)
    show_full_result_count = False
    readonly_fields = (
        "email",
        "user",
        "status",
        "source",
        "requested_at",
        "confirmed_at",
        "unsubscribed_at",
        "unsubscribed_via",
    )

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class SuppressionForm(forms.ModelForm):
    email = forms.EmailField(help_text="Kept only as a keyed hash: the list holds no addresses.")

    class Meta:
        model = Suppression
        fields = ("email",)


@admin.register(Suppression)
class SuppressionAdmin(admin.ModelAdmin):
    """Staff add an address a person asked to keep to order updates only."""

    form = SuppressionForm
    list_display = ("__str__", "reason", "added_at")
    list_filter = ("reason",)

    def get_search_results(self, request, queryset, search_term):
        # Staff search by the address; the list only knows its hash.
        if search_term:
            return queryset.filter(email_digest=consent.email_digest(search_term)), False
        return queryset, False

    def has_change_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        consent_services.set_do_not_send(
            email=form.cleaned_data["email"], on=True, reason=Suppression.Reason.STAFF
        )
        obj.pk = Suppression.objects.get(
            email_digest=consent.email_digest(form.cleaned_data["email"])
        ).pk

    search_fields = ("email_digest",)  # shows the search box; see get_search_results


@admin.register(NewsletterIssue)
class NewsletterIssueAdmin(admin.ModelAdmin):
    list_display = ("subject", "created_at", "sent_at", "recipients")
    fields = ("subject", "body", "created_by", "sent_at", "recipients")
    readonly_fields = ("created_by", "sent_at", "recipients")
    actions = ("send_now",)

    def save_model(self, request, obj, form, change):
        obj.created_by = obj.created_by or request.user
        super().save_model(request, obj, form, change)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.sent_at is not None:
            return False  # what went out stays as it went out
        return super().has_change_permission(request, obj)

    def has_send_permission(self, request):
        return request.user.has_perm("notifications.send_newsletter")

    @admin.action(description="Send to every confirmed subscriber", permissions=("send",))
    def send_now(self, request, queryset):
        for issue in queryset:
            try:
                count = services.send_newsletter(issue=issue, by=request.user)
            except ValidationError as error:
                self.message_user(request, f"{issue}: {error.messages[0]}", messages.ERROR)
            else:
                self.message_user(request, f"{issue}: queued for {count} subscriber(s).")
