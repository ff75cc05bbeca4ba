"""The price-match desk in the back office (P2): the queue of claims for
customer service, approving one into a quote (below the category's floor
only with the supervisor's permission) or declining it with a reason, the
floors per category, and the report by competitor with its chart. Each
step is a service call; this module only shows and asks."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path
from django.utils import timezone

from camshaft.analytics.charts import bar_chart
from camshaft.core.admin import AuditedPersonalDataAdmin, RecordAdmin
from camshaft.pricematch import selectors, services
from camshaft.pricematch.models import PriceFloor, PriceMatchClaim, PriceMatchQuote

DECIDE = "pricematch.decide_claim"


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("approve", "Approve: mail the shopper a quote"), ("decline", "Decline")),
        widget=forms.RadioSelect,
    )
    unit_price = forms.DecimalField(
        required=False,
        min_value=Decimal("0.01"),
        max_digits=12,
        decimal_places=2,
        label="Quoted price for one (empty: the matched price)",
    )
    reason = forms.CharField(max_length=300, required=False, label="Why declined")


class QuoteInline(admin.StackedInline):
    model = PriceMatchQuote
    extra = 0
    can_delete = False
    fields = (
        "quantity",
        "unit_price",
        "regular_unit_price",
        "created_at",
        "expires_at",
        "below_floor",
        "used_at",
        "order_number",
    )
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(PriceMatchClaim)
class PriceMatchClaimAdmin(RecordAdmin, AuditedPersonalDataAdmin, admin.ModelAdmin):
    audit_email_attr = "email"
    list_display = ("number", "part", "competitor", "quantity", "their_total", "status", "filed_at")
    list_filter = ("status", "channel")
    search_fields = ("number", "part__sku", "competitor")
    list_select_related = ("part",)
    inlines = (QuoteInline,)
    readonly_fields = (
        "number",
        "part",
        "user",
        "email",
        "channel",
        "filed_at",
        "competitor",
        "url",
        "brand",
        "mpn",
        "condition",
        "in_stock",
        "quantity",
        "unit_price",
        "shipping",
        "currency",
        "exchange_rate",
        "their_total",
        "our_unit_price",
        "our_shipping",
        "country",
        "region",
        "postal_code",
        "status",
        "decided_at",
        "decided_by",
        "decline_reason",
    )
    fields = readonly_fields

    def get_urls(self):
        views = (
            ("<id:pk>/decide/", self.decide_view, "decide"),
            ("report/", self.report_view, "report"),
        )
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"pricematch_claim_{name}")
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def changelist_view(self, request, extra_context=None):
        extra_context = {**(extra_context or {}), "counts": selectors.queue_counts()}
        return super().changelist_view(request, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_decide": request.user.has_perm(DECIDE)}
        return super().change_view(request, object_id, form_url, extra_context)

    def _page(self, request, template: str, title: str, status: int = 200, **context):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **context,
        }
        return render(
            request, f"admin/pricematch/pricematchclaim/{template}", context, status=status
        )

    def decide_view(self, request, pk: int):
        if not request.user.has_perm(DECIDE):
            raise PermissionDenied
        claim = get_object_or_404(
            PriceMatchClaim.objects.select_related("part__brand", "part__category"), pk=pk
        )
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["decision"] == "approve":
                    quote = services.approve_claim(
                        claim=claim, by=request.user, unit_price=data["unit_price"]
                    )
                    done = f"Claim {claim.number} approved at {quote.unit_price}; quote mailed."
                else:
                    services.decline_claim(claim=claim, by=request.user, reason=data["reason"])
                    done = f"Claim {claim.number} declined; the shopper is told why."
            except services.ClaimProblem as problem:
                form.add_error(None, problem)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:pricematch_pricematchclaim_change", claim.pk)
        return self._page(
            request,
            "decide.html",
            f"Approve or decline {claim.number}",
            status=400 if form.errors else 200,
            claim=claim,
            form=form,
            suggested=services.suggested_price(claim),
            floor=selectors.floor_for(claim.part),
            supervisor=request.user.has_perm("pricematch.approve_below_floor"),
        )

    def report_view(self, request):
        """Claims, approval rate and money given away, by competitor."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days") or 90)
        except ValueError:
            days = 90
        days = min(max(days, 1), 3650)
        rows = selectors.report(since=timezone.now() - timedelta(days=days))
        charts = {
            "claims": bar_chart(
                "Claims by competitor: approved (dark) of all filed (pale)",
                [
                    (r["competitor"], r["approved"], f"{r['approved']} of {r['claims']}")
                    for r in rows
                ],
                behind=[r["claims"] for r in rows],
            ),
            "given": bar_chart(
                "Money given away on quotes used",
                [(r["competitor"], float(r["given_away"]), f"{r['given_away']}") for r in rows],
            ),
        }
        return self._page(
            request,
            "report.html",
            f"Price match: the last {days} days",
            rows=rows,
            totals=selectors.report_totals(rows),
            charts=charts,
            days=days,
        )


@admin.register(PriceFloor)
class PriceFloorAdmin(admin.ModelAdmin):
    list_display = ("category", "min_percent", "min_price")
    search_fields = ("category__name", "category__path")
    autocomplete_fields = ("category",)
