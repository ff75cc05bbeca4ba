"""The marketplace in the back office: seller terms, sellers, the store's
commission and per-sale fee (M4), listings, ratings staff may take down
(M3) and the queue of reports (M5). Each change is a service call."""

from django import forms
from django.contrib import admin, messages

from camshaft.core.admin import ReadOnlyInline
from camshaft.marketplace import services
from camshaft.marketplace.models import (
    CommissionRate,
    Listing,
    ListingPhoto,
    Rating,
    Report,
    ReportStatus,
    Sale,
    SaleFee,
    Seller,
    SellerTerms,
)


@admin.register(SellerTerms)
class SellerTermsAdmin(admin.ModelAdmin):
    """Publishing a version mails every active seller (V1, M5); they accept
    it before changing listings (services.publish_seller_terms)."""

    list_display = ("version", "published_at")
    readonly_fields = ("published_at",)

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        published = services.publish_seller_terms(
            staff=request.user, version=obj.version, body=obj.body
        )
        obj.pk, obj.published_at = published.pk, published.published_at

    def has_change_permission(self, request, obj=None):
        # A version members accepted is the record of what they agreed to,
        # also once they have accepted a newer one.
        if obj is not None and obj.acceptances.exists():
            return False
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        if obj is not None and obj.acceptances.exists():
            return False
        return super().has_delete_permission(request, obj)


class ReinstateSellerForm(forms.ModelForm):
    reinstate_because = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        help_text="To lift a suspension: why (mailed to the seller, audited).",
    )

    class Meta:
        model = Seller
        fields = ()


@admin.register(Seller)
class SellerAdmin(admin.ModelAdmin):
    """Suspending goes through a report, lifting it through *reinstate
    because* (M5): both are services, audited and mailed."""

    form = ReinstateSellerForm
    list_display = ("public_id", "status", "warnings", "terms", "accepted_at")
    list_filter = ("status",)
    search_fields = ("public_id",)
    readonly_fields = ("user", "public_id", "status", "warnings", "terms", "accepted_at")

    def has_add_permission(self, request):
        return False  # members become sellers themselves, accepting the terms

    def save_model(self, request, obj, form, change):
        note = form.cleaned_data.get("reinstate_because", "")
        if not note.strip():
            return
        try:
            services.reinstate_seller(staff=request.user, seller_id=obj.pk, note=note)
        except services.ReportProblem as problem:
            messages.error(request, problem.message)


@admin.register(CommissionRate)
class CommissionRateAdmin(admin.ModelAdmin):
    list_display = ("__str__", "category", "percent")
    autocomplete_fields = ("category",)


@admin.register(SaleFee)
class SaleFeeAdmin(admin.ModelAdmin):
    list_display = ("currency", "amount")


class ListingPhotoInline(ReadOnlyInline):
    model = ListingPhoto
    fields = ("position", "image", "alt_text", "width", "height")


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    """Staff read listings here; taking one down goes through a report (M5)."""

    inlines = [ListingPhotoInline]

    list_display = ("title", "seller", "part", "condition", "price", "quantity", "status")
    list_filter = ("status", "condition")
    search_fields = ("title", "seller__public_id", "part__sku")
    raw_id_fields = ("part",)
    readonly_fields = [f.name for f in Listing._meta.fields] + ["vehicles"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return request.method in {"GET", "HEAD"} and super().has_view_permission(request, obj)


class RemoveRatingForm(forms.ModelForm):
    remove_because = forms.CharField(
        required=False,
        max_length=500,
        help_text="To take this rating down: why it breaks the rules (recorded, audited).",
    )

    class Meta:
        model = Rating
        fields = ()


@admin.register(Rating)
class RatingAdmin(admin.ModelAdmin):
    """M3: staff remove a rating that breaks the rules, giving the reason."""

    form = RemoveRatingForm
    list_display = ("subject", "author", "value", "created_at", "removed_at")
    list_filter = ("value", ("removed_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        "author",
        "subject",
        "value",
        "comment",
        "created_at",
        "reply",
        "replied_at",
        "removed_at",
        "removed_reason",
        "removed_by",
    )

    def has_add_permission(self, request):
        return False

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("remove_because", "")
        if not reason.strip():
            return
        try:
            services.remove_rating(staff=request.user, rating_id=obj.pk, reason=reason)
        except services.RatingProblem as problem:
            messages.error(request, problem.message)


class HandleReportForm(forms.ModelForm):
    class Meta:
        model = Report
        fields = ("outcome", "staff_note")


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """M5: the queue of reports, oldest first; closing one takes an action."""

    form = HandleReportForm
    list_display = ("__str__", "source", "rule", "listing", "created_at", "status", "outcome")
    list_filter = ("status", "source", "rule", "outcome")
    readonly_fields = (
        "source",
        "rule",
        "reporter",
        "reporter_email",
        "member",
        "seller_warnings",
        "listing",
        "seller",
        "reason",
        "created_at",
        "status",
        "handled_by",
        "handled_at",
    )

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("seller", "listing")

    @admin.display(description="warnings so far")
    def seller_warnings(self, obj):
        return obj.seller.warnings if obj.seller_id else "-"

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None and obj.status == ReportStatus.CLOSED:
            return (*self.readonly_fields, "outcome", "staff_note")
        return self.readonly_fields

    def save_model(self, request, obj, form, change):
        if obj.status == ReportStatus.CLOSED:  # read-only: what the database holds
            return
        try:
            services.handle_report(
                staff=request.user,
                report_id=obj.pk,
                outcome=form.cleaned_data["outcome"],
                note=form.cleaned_data.get("staff_note", ""),
            )
        except services.ReportProblem as problem:
            messages.error(request, problem.message)


@admin.register(Sale)
class SaleAdmin(admin.ModelAdmin):
    """Sales are made by checkout and moved on by their parties; staff look,
    mark one delivered for a buyer who called, or cancel an unshipped one."""

    list_display = ("pk", "order", "seller", "title", "quantity", "status", "sold_at")
    list_filter = ("status",)
    search_fields = ("order__number", "seller__public_id", "tracking_number")
    list_select_related = ("order", "seller")
    actions = ("mark_delivered", "cancel_unshipped")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def _each(self, request, queryset, act, done: str):
        for sale in queryset:
            try:
                act(sale)
            except services.SaleProblem as problem:
                self.message_user(request, f"Sale {sale.pk}: {problem.message}", messages.ERROR)
            else:
                self.message_user(request, f"Sale {sale.pk}: {done}")

    @admin.action(description="Mark delivered (the buyer told us)")
    def mark_delivered(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda sale: services.confirm_delivery(
                user=request.user, sale_id=sale.pk, as_staff=True
            ),
            "marked delivered.",
        )

    @admin.action(description="Cancel (not shipped yet): release its hold, tell both")
    def cancel_unshipped(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda sale: services.cancel_sale(
                user=request.user, sale_id=sale.pk, role="staff", reason="Cancelled by staff."
            ),
            "cancelled.",
        )
