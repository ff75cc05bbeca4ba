"""The returns desk in the back office (R2-R4): queues for customer
service and the warehouse, authorizing and rejecting, receiving parcels
line by line, refunds (held, released, recorded for offline payments),
returns filed for phone callers, core inspections and the return-rate
report. Each step is a service call; this module only shows and asks."""

from datetime import timedelta
from decimal import Decimal

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from camshaft.analytics.charts import bar_chart
from camshaft.core.admin import ReadOnlyInline, RecordAdmin
from camshaft.orders.models import Order
from camshaft.payments.services import PaymentError
from camshaft.returns import rules, selectors, services
from camshaft.returns.forms import ReturnForm, new_key
from camshaft.returns.models import (
    CoreReturn,
    CoreStatus,
    ReturnEvent,
    ReturnLine,
    ReturnRequest,
    Status,
)


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return (
            ("authorize", "To authorize"),
            ("receive", "Awaiting receipt"),
            ("refund", "To refund"),
            ("overdue", "Refund overdue"),
        )

    def queryset(self, request, queryset):
        today = rules.store_day(timezone.now())
        wanted = {
            "authorize": Q(status=Status.REQUESTED),
            "receive": Q(status=Status.AUTHORIZED),
            "refund": Q(status=Status.RECEIVED),
            "overdue": Q(status=Status.RECEIVED, refund_due__lt=today),
        }.get(self.value())
        return queryset.filter(wanted) if wanted is not None else queryset


class ReturnLineInline(ReadOnlyInline):
    model = ReturnLine
    fields = (
        "order_line",
        "quantity",
        "unused",
        "original_packaging",
        "complete",
        "sealed",
        "received_as_new",
        "received_damaged",
        "received_wrong_item",
        "received_incomplete",
        "refunded_quantity",
        "refund_amount",
    )
    readonly_fields = fields


class ReturnEventInline(ReturnLineInline):
    model = ReturnEvent
    fields = ("at", "action", "from_status", "to_status", "by", "note")
    readonly_fields = fields


class DecideForm(forms.Form):
    decision = forms.ChoiceField(
        choices=(("authorize", "Authorize: send the RMA and instructions"), ("reject", "Reject")),
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(max_length=300, required=False, label="Why rejected")


class RefundForm(forms.Form):
    action = forms.ChoiceField(
        choices=(
            ("refund", "Refund now"),
            ("hold", "Hold the refund"),
            ("release", "Release the hold"),
        ),
        widget=forms.RadioSelect,
    )
    note = forms.CharField(max_length=300, required=False, label="Why held")
    offline_reference = forms.CharField(
        max_length=100,
        required=False,
        label="Offline payments: the check or transfer that paid it back",
    )


class PhoneOrderForm(forms.Form):
    number = forms.CharField(max_length=20, label="Order number")


@admin.register(ReturnRequest)
class ReturnRequestAdmin(RecordAdmin, admin.ModelAdmin):
    list_display = (
        "number",
        "order_link",
        "status",
        "reason",
        "requested_at",
        "refund_due_display",
        "on_hold",
    )
    list_filter = (QueueFilter, "status", "reason", "channel")
    search_fields = ("number", "order__number")
    list_select_related = ("order",)
    inlines = (ReturnLineInline, ReturnEventInline)
    readonly_fields = (
        "number",
        "order",
        "status",
        "reason",
        "note",
        "channel",
        "requested_at",
        "filed_by",
        "warehouse",
        "authorized_at",
        "label_carrier",
        "label_tracking",
        "rejected_at",
        "reject_reason",
        "received_at",
        "refund_due",
        "on_hold",
        "hold_note",
        "return_freight",
        "refunded_at",
        "refund_total",
    )
    exclude = ("idempotency_key",)

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, request_):
        url = reverse("admin:orders_order_change", args=[request_.order_id])
        return format_html('<a href="{}">{}</a>', url, request_.order.number)

    @admin.display(description="Refund due", ordering="refund_due")
    def refund_due_display(self, request_):
        if request_.refund_due is None or request_.status != Status.RECEIVED:
            return "—"
        if request_.refund_due < rules.store_day(timezone.now()):
            return format_html('<strong class="overdue">{} (overdue)</strong>', request_.refund_due)
        return request_.refund_due

    def _can(self, request, codename: str) -> bool:
        return request.user.has_perm(f"returns.{codename}")

    def get_urls(self):
        views = (
            ("<int:pk>/decide/", self.decide_view, "decide"),
            ("<int:pk>/receive/", self.receive_view, "receive"),
            ("<int:pk>/refund/", self.refund_view, "refund"),
            ("file/", self.file_view, "file"),
            ("report/", self.report_view, "report"),
        )
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"returns_returnrequest_{name}")
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_decide": self._can(request, "authorize_return"),
            "can_receive": self._can(request, "receive_return"),
            "can_refund": self._can(request, "refund_return"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "counts": selectors.counts_by_status(),
            "overdue": selectors.overdue_refunds().count(),
            "can_file": self._can(request, "authorize_return"),
        }
        return super().changelist_view(request, extra_context)

    def _page(self, request, template: str, title: str, status: int = 200, **context):
        context = {
            **self.admin_site.each_context(request),
            "title": title,
            "opts": self.model._meta,
            **context,
        }
        return render(request, f"admin/returns/returnrequest/{template}", context, status=status)

    def decide_view(self, request, pk: int):
        if not self._can(request, "authorize_return"):
            raise PermissionDenied
        return_request = get_object_or_404(ReturnRequest.objects.select_related("order"), pk=pk)
        form = DecideForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                if form.cleaned_data["decision"] == "authorize":
                    services.authorize_return(request=return_request, by=request.user)
                    done = f"Return {return_request.number} authorized; instructions mailed."
                else:
                    services.reject_return(
                        request=return_request,
                        reason=form.cleaned_data["reason"],
                        by=request.user,
                    )
                    done = f"Return {return_request.number} rejected; the customer is told why."
            except services.ReturnProblem as problem:
                form.add_error(None, problem)
            else:
                self.message_user(request, done, messages.SUCCESS)
                return redirect("admin:returns_returnrequest_change", return_request.pk)
        return self._page(
            request,
            "decide.html",
            f"Authorize or reject {return_request.number}",
            status=400 if form.errors else 200,
            return_request=return_request,
            form=form,
        )

    def receive_view(self, request, pk: int):
        if not self._can(request, "receive_return"):
            raise PermissionDenied
        return_request = get_object_or_404(ReturnRequest.objects.select_related("order"), pk=pk)
        lines = list(return_request.lines.select_related("order_line"))
        problems = []
        if request.method == "POST":
            try:
                counts = {
                    line.pk: services.Received(
                        **{
                            outcome: _count(request.POST.get(f"{outcome}_{line.pk}"))
                            for outcome in ("as_new", "damaged", "wrong_item", "incomplete")
                        }
                    )
                    for line in lines
                }
                freight = Decimal(request.POST.get("return_freight") or "0")
                services.receive_return(
                    request=return_request,
                    counts=counts,
                    by=request.user,
                    complete=bool(request.POST.get("complete")),
                    return_freight=freight,
                )
            except (ValueError, ArithmeticError):
                problems.append("Counts are whole numbers and postage an amount like 12.50.")
            except services.ReturnProblem as problem:
                problems.extend(problem.messages)
            else:
                self.message_user(request, "Receipt recorded.", messages.SUCCESS)
                return redirect("admin:returns_returnrequest_change", return_request.pk)
        return self._page(
            request,
            "receive.html",
            f"Receive {return_request.number}",
            status=400 if problems else 200,
            return_request=return_request,
            lines=lines,
            problems=problems,
        )

    def refund_view(self, request, pk: int):
        if not self._can(request, "refund_return"):
            raise PermissionDenied
        return_request = get_object_or_404(ReturnRequest.objects.select_related("order"), pk=pk)
        form = RefundForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                if data["action"] == "refund":
                    services.refund_return(
                        request=return_request,
                        by=request.user,
                        offline_reference=data["offline_reference"],
                    )
                else:
                    services.hold_refund(
                        request=return_request,
                        hold=data["action"] == "hold",
                        note=data["note"],
                        by=request.user,
                    )
            except (services.ReturnProblem, PaymentError) as problem:
                form.add_error(None, getattr(problem, "message", None) or problem)
            else:
                self.message_user(request, "Done.", messages.SUCCESS)
                return redirect("admin:returns_returnrequest_change", return_request.pk)
        return self._page(
            request,
            "refund.html",
            f"Refund {return_request.number}",
            status=400 if form.errors else 200,
            return_request=return_request,
            amount=return_request.order.money(services.refund_amount(return_request)),
            offline=return_request.order.payment.is_offline,
            form=form,
        )

    def file_view(self, request):
        """A phone caller's return (R2): find the order, then the same
        form the shopper sees, filed on their behalf."""
        if not self._can(request, "authorize_return"):
            raise PermissionDenied
        number = (request.POST.get("number") or request.GET.get("number") or "").strip()
        order = Order.objects.filter(number=number.upper()[:20]).first() if number else None
        if order is None:
            form = PhoneOrderForm(request.GET or None)
            if number:
                form.add_error("number", "No order has that number.")
            return self._page(request, "find_order.html", "File a return for a caller", form=form)
        rows = selectors.returnable_lines(order)
        form = ReturnForm(
            request.POST if "reason" in request.POST else None,
            rows=rows,
            initial={"idempotency_key": new_key()},
        )
        if form.is_bound and form.is_valid():
            try:
                filed = services.file_return(
                    order=order, channel="phone", by=request.user, **form.filing()
                )
            except services.ReturnProblem as problem:
                form.add_error(None, problem)
            else:
                self.message_user(request, f"Return {filed.number} filed.", messages.SUCCESS)
                return redirect("admin:returns_returnrequest_change", filed.pk)
        return self._page(
            request,
            "file.html",
            f"File a return for order {order.number}",
            status=400 if form.errors else 200,
            order=order,
            form=form,
            lines=[(row, form.quantity_field(row)) for row in rows],
        )

    def report_view(self, request):
        """Return rates by category, brand and reason: totals, no customer."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        days = _count(request.GET.get("days") or "90", top=3650) or 90
        since = timezone.now() - timedelta(days=days)
        tables = {by: selectors.return_rates(by=by, since=since) for by in ("category", "brand")}
        reasons = selectors.return_rates(by="reason", since=since)
        charts = {
            by: bar_chart(
                f"Return rate by {by} (units returned per unit sold)",
                [(r["label"], r["share"], f"{r['share']:.1%}") for r in rows[:15]],
            )
            for by, rows in tables.items()
        }
        charts["reason"] = bar_chart(
            "Why parts come back",
            [(r["label"], r["returned"], f"{r['returned']} ({r['share']:.0%})") for r in reasons],
        )
        return self._page(
            request,
            "report.html",
            f"Returns: the last {days} days",
            tables=tables,
            reasons=reasons,
            charts=charts,
            days=days,
        )


def _count(raw, *, top: int = 10_000) -> int:
    value = int((raw or "0").strip() or "0")
    if not 0 <= value <= top:
        raise ValueError(raw)
    return value


class InspectForm(forms.Form):
    same_part = forms.BooleanField(required=False, label="The same part number")
    undamaged = forms.BooleanField(required=False, label="Undamaged")
    drained = forms.BooleanField(required=False, label="Drained of all fluids")
    refuse_reason = forms.CharField(
        max_length=300, required=False, label="Why refused (otherwise said from the boxes)"
    )


@admin.register(CoreReturn)
class CoreReturnAdmin(RecordAdmin, admin.ModelAdmin):
    list_display = ("number", "order_number", "sku", "quantity", "status", "requested_at")
    list_filter = ("status",)
    search_fields = ("number", "order_line__order__number", "order_line__sku")
    list_select_related = ("order_line__order",)
    exclude = ("idempotency_key",)
    readonly_fields = (
        "number",
        "order_line",
        "quantity",
        "status",
        "channel",
        "requested_at",
        "warehouse",
        "inspected_at",
        "inspected_by",
        "refuse_reason",
        "deposit",
        "refunded_at",
    )

    @admin.display(description="Order")
    def order_number(self, core):
        return core.order_line.order.number

    @admin.display(description="SKU")
    def sku(self, core):
        return core.order_line.sku

    def get_urls(self):
        return [
            path(
                "<int:pk>/inspect/",
                self.admin_site.admin_view(self.inspect_view),
                name="returns_corereturn_inspect",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_inspect": request.user.has_perm("returns.inspect_core"),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def inspect_view(self, request, pk: int):
        if not request.user.has_perm("returns.inspect_core"):
            raise PermissionDenied
        core = get_object_or_404(CoreReturn.objects.select_related("order_line__order"), pk=pk)
        form = InspectForm(request.POST or None)
        if request.method == "POST" and form.is_valid() and core.status == CoreStatus.REQUESTED:
            try:
                services.inspect_core(core=core, by=request.user, **form.cleaned_data)
            except PaymentError as problem:
                form.add_error(None, problem.message)
            else:
                self.message_user(request, "Inspection recorded.", messages.SUCCESS)
                return redirect("admin:returns_corereturn_change", core.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Inspect {core.number}",
            "opts": self.model._meta,
            "core": core,
            "form": form,
        }
        return render(request, "admin/returns/corereturn/inspect.html", context)
