"""Back office for payments and saved cards: read-only, since money moves
only through the services (Y2, Y4) and no card number exists to show (Y3)."""

from django.contrib import admin

from camshaft.core.admin import AuditedPersonalDataAdmin, ReadOnlyInline
from camshaft.payments.models import (
    Authorization,
    Payment,
    PaymentTransaction,
    ProcessorEvent,
    SavedCard,
)


class AuthorizationInline(ReadOnlyInline):
    """Each hold at the processor: the checkout's, and any separate one an
    order change needed (O2)."""

    model = Authorization
    fields = ("created_at", "reference", "amount", "amount_captured", "voided")
    readonly_fields = fields


class PaymentTransactionInline(ReadOnlyInline):
    model = PaymentTransaction
    fields = (
        "created_at",
        "kind",
        "amount",
        "currency",
        "status",
        "gateway_reference",
        "authorization",
        "message",
        "idempotency_key",
        "created_by",
    )
    readonly_fields = fields


class ProcessorEventInline(ReadOnlyInline):
    """What the processor said about this payment on its own (a dispute, a
    refund made in its dashboard), as its webhooks told it."""

    model = ProcessorEvent
    fields = ("received_at", "occurred_at", "gateway", "kind", "description", "event_id")
    readonly_fields = fields


@admin.register(Payment)
class PaymentAdmin(admin.ModelAdmin):
    list_display = (
        "id",
        "created_at",
        "method",
        "amount",
        "currency",
        "status",
        "card_brand",
        "card_last4",
        "amount_captured",
        "amount_refunded",
        "disputed",
    )
    list_filter = ("status", "method", "gateway", "disputed", "currency")
    search_fields = ("=id", "=authorization_reference", "=card_last4")
    date_hierarchy = "created_at"
    inlines = [AuthorizationInline, PaymentTransactionInline, ProcessorEventInline]
    show_full_result_count = False

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in Payment._meta.fields]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(SavedCard)
class SavedCardAdmin(AuditedPersonalDataAdmin, admin.ModelAdmin):
    list_display = (
        "user",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "off_session_allowed",
        "created_at",
    )
    list_filter = ("brand",)
    search_fields = ("=last4", "user__email", "user__username")
    raw_id_fields = ("user",)
    exclude = ("gateway_token",)
    readonly_fields = (
        "user",
        "brand",
        "last4",
        "exp_month",
        "exp_year",
        "off_session_allowed",
        "created_at",
    )

    def has_add_permission(self, request):
        return False
