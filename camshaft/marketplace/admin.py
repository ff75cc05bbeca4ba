"""The marketplace in the back office: seller terms, sellers, the store's
commission and per-sale fee (M4), listings, ratings staff may take down
(M3) and the queue of reports (M5). Each change is a service call.

Who may do what is the permissions' business (the marketplace moderator's
role in accounts/roles.py); members show by email only to staff who see
contact details (A4), to everyone else by their public user ID."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from camshaft.accounts.roles import sees_contact_details
from camshaft.analytics.charts import bar_chart
from camshaft.core.admin import AuditedPersonalDataAdmin, ReadOnlyInline
from camshaft.core.business_days import STORE_ZONE
from camshaft.core.money import CURRENCIES
from camshaft.marketplace import selectors, services
from camshaft.marketplace.forms import SaleRefundForm
from camshaft.marketplace.models import (
    CommissionRate,
    Listing,
    ListingPhoto,
    Payout,
    Rating,
    Report,
    ReportStatus,
    Sale,
    SaleFee,
    Seller,
    SellerTerms,
)
from camshaft.marketplace.statements import write_statement_csv


def member_label(user) -> str:
    """A member as staff without contact details see them: a seller's public
    user ID, anyone else's account number."""
    if user is None:
        return "-"
    seller = getattr(user, "seller", None)  # None when the member does not sell
    return seller.public_id if seller is not None else f"member #{user.pk}"


def _by_public_id(field: str):
    @admin.display(description=field.replace("_", " "))
    def show(self, obj):
        return member_label(getattr(obj, field))

    return show


class MembersByPublicIdAdmin(AuditedPersonalDataAdmin):
    """A4 on the marketplace pages: `member_fields` (users) show by email
    only to staff holding the contact-details permission; the others see
    `<field>_public` (the public user ID) instead, and never
    `contact_fields` (a guest reporter's address). Every look is audited."""

    member_fields: tuple[str, ...] = ()
    contact_fields: tuple[str, ...] = ()

    def _shown(self, request, names):
        if sees_contact_details(request.user):
            return names
        return type(names)(
            f"{name}_public" if name in self.member_fields else name
            for name in names
            if name not in self.contact_fields
        )

    def get_readonly_fields(self, request, obj=None):
        return self._shown(request, tuple(super().get_readonly_fields(request, obj)))

    def get_list_display(self, request):
        return self._shown(request, tuple(super().get_list_display(request)))

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if sees_contact_details(request.user):
            return fields
        # Searching by a member's email would tell a moderator who is who.
        return tuple(f for f in fields if "email" not in f)


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


class PayoutForm(forms.Form):
    """M4: what staff record of a payout made outside Camshaft."""

    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    currency = forms.ChoiceField(choices=[(code, code) for code in CURRENCIES])
    paid_on = forms.DateField(help_text="The day the money left, YYYY-MM-DD.")
    reference = forms.CharField(max_length=100, required=False, help_text="Bank reference")
    note = forms.CharField(max_length=500, required=False)


@admin.register(Seller)
class SellerAdmin(MembersByPublicIdAdmin, admin.ModelAdmin):
    """Suspending goes through a report, lifting it through *reinstate
    because* (M5): both are services, audited and mailed."""

    member_fields = ("user",)
    user_public = _by_public_id("user")
    form = ReinstateSellerForm
    list_display = ("public_id", "status", "warnings", "terms", "accepted_at", "statement_link")
    list_filter = ("status",)
    search_fields = ("public_id",)
    readonly_fields = ("user", "public_id", "status", "warnings", "terms", "accepted_at")

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("user__seller")

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

    @admin.display(description="Statement")
    def statement_link(self, obj):
        url = reverse("admin:marketplace_seller_statement", args=[obj.pk])
        return format_html('<a href="{}">Statement</a>', url)

    def get_urls(self):
        return [
            path(
                "<id:pk>/statement/",
                self.admin_site.admin_view(self.statement_view),
                name="marketplace_seller_statement",
            ),
            *super().get_urls(),
        ]

    def statement_view(self, request, pk: int):
        """M4: one seller's statement for a month, and recording a payout
        (with `marketplace.add_payout`; audited by the service)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        seller = get_object_or_404(Seller, pk=pk)
        today = timezone.now().astimezone(STORE_ZONE).date()
        month_text = request.GET.get("month") or f"{today:%Y-%m}"
        month = selectors.parse_month(month_text)
        if month is None:
            raise Http404("No such month.")
        may_pay = request.user.has_perm("marketplace.add_payout")
        form = PayoutForm(request.POST or None, initial={"paid_on": today})
        status = 200
        if request.method == "POST":
            if not may_pay:
                raise PermissionDenied
            status = 400
            if form.is_valid():
                data = form.cleaned_data
                try:
                    services.record_payout(
                        staff=request.user,
                        seller_id=seller.pk,
                        amount=data["amount"],
                        currency=data["currency"],
                        paid_on=data["paid_on"],
                        reference=data["reference"],
                        note=data["note"],
                    )
                except services.PayoutProblem as problem:
                    form.add_error(problem.field, problem.message)
                else:
                    self.message_user(request, "Payout recorded.", messages.SUCCESS)
                    url = reverse("admin:marketplace_seller_statement", args=[seller.pk])
                    return redirect(f"{url}?month={month:%Y-%m}")
        if request.GET.get("format") == "csv":
            found = selectors.statement(seller=seller, month=month)
            response = HttpResponse(content_type="text/csv; charset=utf-8")
            name = f"statement-{seller.public_id}-{month:%Y-%m}.csv"
            response["Content-Disposition"] = f'attachment; filename="{name}"'
            write_statement_csv(found, response)
            return response
        context = {
            **self.admin_site.each_context(request),
            "title": f"Statement of {seller.public_id}, {month:%B %Y}",
            "opts": self.model._meta,
            "seller": seller,
            "statement": selectors.statement(seller=seller, month=month),
            "months": selectors.statement_months(seller=seller),
            "due_now": [
                (currency, selectors.amount_due(seller=seller, currency=currency))
                for currency in sorted(
                    set(seller.sales.values_list("currency", flat=True)) or {"USD"}
                )
            ],
            "form": form if may_pay else None,
        }
        return render(request, "admin/marketplace/seller/statement.html", context, status=status)


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
    # width and height are not editable: named only as fields, the inline's
    # form cannot be built and the listing's page failed with a 500.
    readonly_fields = fields


class RemoveListingForm(forms.ModelForm):
    remove_because = forms.CharField(
        required=False,
        max_length=1000,
        widget=forms.Textarea,
        help_text="To take this listing down: why it breaks the rules (mailed to the seller, "
        "kept as a closed report, audited).",
    )

    class Meta:
        model = Listing
        fields = ()


@admin.register(Listing)
class ListingAdmin(admin.ModelAdmin):
    """Staff read listings here. Taking one down is a report's outcome (M5):
    from the queue, or here with *remove because*, which files the report
    and closes it at once (needs `marketplace.change_report`)."""

    form = RemoveListingForm
    inlines = [ListingPhotoInline]

    list_display = ("title", "seller", "part", "condition", "price", "quantity", "status")
    list_filter = ("status", "condition")
    search_fields = ("title", "seller__public_id", "part__sku")
    raw_id_fields = ("part",)
    readonly_fields = [f.name for f in Listing._meta.fields] + ["vehicles"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # The only change made here is taking the listing down: a report's.
        return request.user.has_perm("marketplace.change_report") and super().has_view_permission(
            request, obj
        )

    def save_model(self, request, obj, form, change):
        reason = form.cleaned_data.get("remove_because", "")
        if not reason.strip():
            return
        try:
            services.remove_listing(staff=request.user, listing_id=obj.pk, reason=reason)
        except services.ReportProblem as problem:
            messages.error(request, problem.message)


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
class RatingAdmin(MembersByPublicIdAdmin, admin.ModelAdmin):
    """M3: staff remove a rating that breaks the rules, giving the reason."""

    audit_user_id_attr = "subject_id"
    member_fields = ("author", "subject")
    author_public = _by_public_id("author")
    subject_public = _by_public_id("subject")
    form = RemoveRatingForm
    list_display = ("subject", "author", "sale", "value", "created_at", "removed_at")
    list_filter = ("value", ("removed_at", admin.EmptyFieldListFilter))
    readonly_fields = (
        "sale",
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

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        return queryset.select_related("author__seller", "subject__seller", "sale")

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
class ReportAdmin(MembersByPublicIdAdmin, admin.ModelAdmin):
    """M5: the queue of reports, oldest first; closing one takes an action."""

    audit_user_id_attr = "member_id"
    member_fields = ("reporter", "member")
    contact_fields = ("reporter_email",)
    reporter_public = _by_public_id("reporter")
    member_public = _by_public_id("member")
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
        return (
            super()
            .get_queryset(request)
            .select_related("seller", "listing", "reporter__seller", "member__seller")
        )

    @admin.display(description="warnings so far")
    def seller_warnings(self, obj):
        return obj.seller.warnings if obj.seller_id else "-"

    def has_add_permission(self, request):
        return False

    def get_readonly_fields(self, request, obj=None):
        fields = super().get_readonly_fields(request, obj)
        if obj is not None and obj.status == ReportStatus.CLOSED:
            return (*fields, "outcome", "staff_note")
        return fields

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
class SaleAdmin(MembersByPublicIdAdmin, admin.ModelAdmin):
    """Sales are made by checkout and moved on by their parties; staff look,
    mark one delivered for a buyer who called, or cancel an unshipped one
    (with `marketplace.change_sale`: looking is not acting)."""

    audit_user_id_attr = "buyer_id"
    member_fields = ("buyer",)
    buyer_public = _by_public_id("buyer")
    readonly_fields = [f.name for f in Sale._meta.fields]
    list_display = ("pk", "order", "seller", "title", "quantity", "status", "sold_at")
    list_filter = ("status",)
    search_fields = ("order__number", "seller__public_id", "tracking_number")
    list_select_related = ("order", "seller")
    actions = ("mark_delivered", "cancel_unshipped")
    readonly_fields = [*readonly_fields, "refund"]

    @admin.display(description="Refund")
    def refund(self, sale: Sale) -> str:
        if not selectors.may_refund(sale, role="staff"):
            return "—"
        url = reverse("admin:marketplace_sale_refund", args=[sale.pk])
        return format_html('<a href="{}">Refund this sale…</a>', url)

    def get_urls(self):
        return [
            path(
                "<id:pk>/refund/",
                self.admin_site.admin_view(self.refund_view),
                name="marketplace_sale_refund",
            ),
            *super().get_urls(),
        ]

    def refund_view(self, request, pk: int):
        """M4: staff give back all or part of what a shipped sale was
        charged, whatever the listing's return policy (the buyer called,
        goodwill); the service checks, refunds once, mails and audits."""
        if not self.has_act_permission(request):
            raise PermissionDenied
        sale = get_object_or_404(Sale.objects.select_related("order", "seller"), pk=pk)
        form = SaleRefundForm(request.POST or None, initial={"amount": sale.amount_captured})
        status = 200
        if request.method == "POST":
            status = 400
            if form.is_valid():
                try:
                    services.refund_sale(
                        user=request.user,
                        sale_id=sale.pk,
                        amount=form.cleaned_data["amount"],
                        reason=form.cleaned_data["reason"],
                        as_staff=True,
                    )
                except services.SaleProblem as problem:
                    field = next(iter(problem.problems or {}), None)
                    form.add_error(field if field in form.fields else None, problem.message)
                else:
                    self.message_user(request, f"Sale {sale.pk} refunded.", messages.SUCCESS)
                    return redirect("admin:marketplace_sale_change", sale.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Refund sale {sale.pk}: {sale.title}",
            "opts": self.model._meta,
            "sale": sale,
            "form": form,
        }
        return render(request, "admin/marketplace/sale/refund.html", context, status=status)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def has_act_permission(self, request) -> bool:
        """The actions change sales; the admin's own change form stays off."""
        return request.user.has_perm("marketplace.change_sale")

    def _each(self, request, queryset, act, done: str):
        for sale in queryset:
            try:
                act(sale)
            except services.SaleProblem as problem:
                self.message_user(request, f"Sale {sale.pk}: {problem.message}", messages.ERROR)
            else:
                self.message_user(request, f"Sale {sale.pk}: {done}")

    @admin.action(description="Mark delivered (the buyer told us)", permissions=["act"])
    def mark_delivered(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda sale: services.confirm_delivery(
                user=request.user, sale_id=sale.pk, as_staff=True
            ),
            "marked delivered.",
        )

    @admin.action(
        description="Cancel (not shipped yet): release its hold, tell both", permissions=["act"]
    )
    def cancel_unshipped(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda sale: services.cancel_sale(
                user=request.user, sale_id=sale.pk, role="staff", reason="Cancelled by staff."
            ),
            "cancelled.",
        )


@admin.register(Payout)
class PayoutAdmin(admin.ModelAdmin):
    """M4: payouts as staff recorded them, read-only (they are recorded on
    a seller's statement); and the marketplace fees report."""

    list_display = ("paid_on", "seller", "amount", "currency", "reference", "recorded_by")
    list_filter = ("currency",)
    search_fields = ("seller__public_id", "reference")
    readonly_fields = [f.name for f in Payout._meta.fields]

    def has_add_permission(self, request):
        return False  # on the seller's statement page, through the service

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_urls(self):
        return [
            path(
                "fees-report/",
                self.admin_site.admin_view(self.fees_report_view),
                name="marketplace_fees_report",
            ),
            *super().get_urls(),
        ]

    def fees_report_view(self, request):
        """M4: the store's commission and fixed fees per month, as a chart
        and a table (no seller named)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        rows = selectors.fees_report(months=12)
        chart = bar_chart(
            "Fees per month: commission (dark) of all fees (pale)",
            [
                (f"{r.month:%Y-%m} {r.currency}", float(r.commission), f"{r.fees} {r.currency}")
                for r in rows
            ],
            behind=[float(r.fees) for r in rows],
        )
        context = {
            **self.admin_site.each_context(request),
            "title": "Marketplace fees: the last 12 months",
            "opts": self.model._meta,
            "rows": rows,
            "chart": chart,
        }
        return render(request, "admin/marketplace/payout/fees_report.html", context)
