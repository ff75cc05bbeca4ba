"""Back office for orders: find one by number, email, name or date (O2),
read its lines, shipments and history (O1), and move it on: process, ship
from a warehouse with a carrier and tracking number (S4, captures that
shipment's payment), mark delivered, cancel, record an offline payment."""

from decimal import Decimal, InvalidOperation

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

from camshaft.accounts.roles import sees_contact_details
from camshaft.core import services as audit
from camshaft.core.admin import AuditedPersonalDataAdmin, ReadOnlyInline
from camshaft.core.models import AuditAction
from camshaft.inventory.models import Warehouse
from camshaft.orders import changes, selectors, services
from camshaft.orders.forms import OrderChangeForm, apply_errors
from camshaft.orders.models import Order, OrderEvent, OrderLine
from camshaft.orders.selectors import payment_summary
from camshaft.payments.services import PaymentError
from camshaft.shipping.models import Carrier, Shipment


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = (
        "sku",
        "name",
        "brand",
        "mpn",
        "quantity",
        "unit_price",
        "unit_core_charge",
        "line_total",
    )
    readonly_fields = fields


class OrderEventInline(ReadOnlyInline):
    model = OrderEvent
    verbose_name = "history entry"
    verbose_name_plural = "history"
    fields = ("at", "action", "from_status", "to_status", "actor", "by", "note")
    readonly_fields = fields


class ShipmentInline(ReadOnlyInline):
    model = Shipment
    fields = (
        "shipped_at",
        "warehouse",
        "carrier",
        "tracking_number",
        "amount_captured",
        "shipped_by",
    )
    readonly_fields = fields


class ShipmentForm(forms.Form):
    """S4: one parcel, from one warehouse, with its carrier and tracking number."""

    warehouse = forms.ModelChoiceField(queryset=Warehouse.objects.none())
    carrier = forms.ModelChoiceField(queryset=Carrier.objects.filter(is_active=True))
    tracking_number = forms.CharField(max_length=60)

    def __init__(self, *args, warehouses, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["warehouse"].queryset = warehouses
        if warehouses.count() == 1:
            self.fields["warehouse"].initial = warehouses.first()


class OfflinePaymentForm(forms.Form):
    amount = forms.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    reference = forms.CharField(
        max_length=100, help_text="Check number, money order number or wire reference."
    )


#: What staff without the contact-details permission (the warehouse) do not
#: see of an order: they get the shipping address they ship to, nothing more.
CONTACT_FIELDS = ("user", "email", "billing_block", "billing_name", "payment_link")
CONTACT_SEARCH_FIELDS = ("email", "billing_address__full_name")


def _lines(lines: list[str]):
    return format_html_join(mark_safe("<br>"), "{}", ((line,) for line in lines if line))


@admin.register(Order)
class OrderAdmin(AuditedPersonalDataAdmin, admin.ModelAdmin):
    audit_email_attr = "email"
    list_display = (
        "number",
        "placed_at",
        "billing_name",
        "email",
        "status",
        "total_display",
        "payment_display",
    )
    list_filter = ("status", "payment__method", "currency", "placed_at")
    # Names are encrypted (V8): get_search_results matches them word by word.
    search_fields = ("=number", "email")
    date_hierarchy = "placed_at"
    list_select_related = ("billing_address", "payment")
    show_full_result_count = False
    inlines = (OrderLineInline, ShipmentInline, OrderEventInline)
    actions = ("start_processing", "mark_delivered", "cancel")
    fieldsets = (
        (None, {"fields": ("number", "status", "placed_at", "channel", "user", "email")}),
        (
            "Money",
            {
                "fields": (
                    "currency",
                    "exchange_rate",
                    "items_total",
                    "core_total",
                    "shipping_total",
                    "tax_total",
                    "discount_total",
                    "grand_total",
                    "payment_link",
                )
            },
        ),
        (
            "Delivery",
            {
                "fields": (
                    "shipping_method_name",
                    "billing_block",
                    "shipping_block",
                    "is_gift",
                    "gift_message",
                )
            },
        ),
    )
    readonly_fields = (
        "number",
        "status",
        "placed_at",
        "channel",
        "user",
        "email",
        "currency",
        "exchange_rate",
        "items_total",
        "core_total",
        "shipping_total",
        "tax_total",
        "discount_total",
        "grand_total",
        "payment_link",
        "shipping_method_name",
        "billing_block",
        "shipping_block",
        "is_gift",
        "gift_message",
    )
    change_form_template = "admin/orders/order/change_form.html"

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        # Whoever may not search by email (A4) may not search by name either.
        if "email" not in self.get_search_fields(request):
            return found, may_have_duplicates
        by_name = selectors.orders_by_customer_name(queryset, name=search_term)
        return (found if by_name is None else found | by_name), may_have_duplicates

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if sees_contact_details(request.user):
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in CONTACT_FIELDS]})
            for name, opts in fieldsets
        ]

    def get_list_display(self, request):
        shown = super().get_list_display(request)
        if sees_contact_details(request.user):
            return shown
        return [field for field in shown if field not in CONTACT_FIELDS]

    def get_search_fields(self, request):
        fields = super().get_search_fields(request)
        if sees_contact_details(request.user):
            return fields
        return [field for field in fields if field not in CONTACT_SEARCH_FIELDS]

    def has_ship_permission(self, request):
        return request.user.has_perm("orders.ship_order")

    def has_cancel_permission(self, request):
        return request.user.has_perm("orders.cancel_order")

    def has_change_order_permission(self, request):
        return request.user.has_perm("orders.change_order")

    def has_record_payment_permission(self, request):
        return request.user.has_perm("orders.record_offline_payment")

    @admin.display(description="billing name")
    def billing_name(self, order):
        return order.billing_address.full_name

    @admin.display(description="total", ordering="grand_total")
    def total_display(self, order):
        return str(order.total)

    @admin.display(description="payment")
    def payment_display(self, order):
        return payment_summary(order)

    @admin.display(description="payment")
    def payment_link(self, order):
        url = reverse("admin:payments_payment_change", args=[order.payment_id])
        payment = order.payment
        return format_html(
            '<a href="{}">{}</a> · {} · captured {} · refunded {}',
            url,
            payment_summary(order),
            payment.get_status_display(),
            order.money(payment.amount_captured),
            order.money(payment.amount_refunded),
        )

    @admin.display(description="billing address")
    def billing_block(self, order):
        return _lines(order.billing_address.lines())

    @admin.display(description="shipping address")
    def shipping_block(self, order):
        return _lines([*order.shipping_address.lines(), order.shipping_address.phone])

    def get_urls(self):
        return [
            path(
                "<int:order_id>/record-payment/",
                self.admin_site.admin_view(self.record_payment_view),
                name="orders_order_record_payment",
            ),
            path(
                "<int:order_id>/change-order/",
                self.admin_site.admin_view(self.change_order_view),
                name="orders_order_change_order",
            ),
            path(
                "<int:order_id>/ship/",
                self.admin_site.admin_view(self.ship_view),
                name="orders_order_ship",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "can_record_payment": self.has_record_payment_permission(request),
            "can_ship": self.has_ship_permission(request),
            "can_change_order": self._may_change(request, object_id),
            "waiting": selectors.waiting_to_ship(order_id=int(object_id)),
        }
        return super().change_view(request, object_id, form_url, extra_context)

    def record_payment_view(self, request, order_id: int):
        if not self.has_record_payment_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order.objects.select_related("payment"), pk=order_id)
        owed = order.payment.amount - order.payment.amount_received
        form = OfflinePaymentForm(request.POST or None, initial={"amount": owed})
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.record_offline_payment(
                    order=order,
                    amount=data["amount"],
                    reference=data["reference"],
                    by=request.user,
                    idempotency_key=f"receipt:{order.number}:{data['reference']}",
                )
            except (PaymentError, services.OrderError, InvalidOperation) as problem:
                form.add_error(None, getattr(problem, "message", str(problem)))
            else:
                self.message_user(
                    request, f"Recorded {order.money(data['amount'])} for {order.number}."
                )
                return redirect("admin:orders_order_change", order.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Record a payment for {order.number}",
            "order": order,
            "owed": order.money(owed),
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/orders/order/record_payment.html", context)

    def _may_change(self, request, object_id) -> bool:
        if not self.has_change_order_permission(request):
            return False
        order = Order.objects.filter(pk=int(object_id)).first()
        return order is not None and changes.change_decision(order=order, as_staff=True).allowed

    def change_order_view(self, request, order_id: int):
        """O2: change the order on the customer's request. "Preview" shows
        the new totals, stock and payment; "Save" applies exactly that."""
        if not self.has_change_order_permission(request):
            raise PermissionDenied
        order = get_object_or_404(
            Order.objects.select_related("payment", "shipping_address"), pk=order_id
        )
        decision = changes.change_decision(order=order, as_staff=True)
        shipped = selectors.shipped_units(order_id=order.pk)
        form = OrderChangeForm(request.POST or None, order=order, shipped=shipped)
        preview, status = None, 200
        if request.method == "POST" and decision.allowed and form.is_valid():
            change = form.change()
            if "save" in request.POST:
                data = form.cleaned_data
                try:
                    changes.change_order(
                        order=order,
                        change=change,
                        by=request.user,
                        as_staff=True,
                        expected_total=data["expected_total"],
                        preview_token=data["preview_token"] or "-",
                        path=request.path,
                    )
                except ValidationError as error:
                    apply_errors(form, error)
                except services.OrderError as refused:
                    form.add_error(None, refused.message)
                else:
                    self.message_user(
                        request, f"Order {order.number} changed; the customer is mailed."
                    )
                    return redirect("admin:orders_order_change", order.pk)
            preview = self._preview(form, order, change)
        if form.is_bound and form.errors:
            status = 400
        if request.method == "GET":
            audit.record_access(
                staff=request.user,
                action=AuditAction.VIEWED,
                subject_user_id=order.user_id,
                subject_email=order.email,
                obj=order,
                detail="change order page: shipping address, lines",
                path=request.path,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Change order {order.number}",
            "order": order,
            "decision": decision,
            "form": form,
            "preview": preview,
            "opts": self.model._meta,
        }
        return render(request, "admin/orders/order/change_order.html", context, status=status)

    @staticmethod
    def _preview(form, order, change):
        """The change as it would be saved now, or None with the reason on the form."""
        try:
            return changes.preview_change(order=order, change=change, as_staff=True)
        except ValidationError as error:
            apply_errors(form, error)
        except services.OrderError as refused:
            form.add_error(None, refused.message)
        return None

    def ship_view(self, request, order_id: int):
        if not self.has_ship_permission(request):
            raise PermissionDenied
        order = get_object_or_404(Order.objects.select_related("shipping_address"), pk=order_id)
        waiting = selectors.waiting_to_ship(order_id=order.pk)
        warehouses = Warehouse.objects.filter(pk__in=[w.warehouse.pk for w in waiting])
        form = ShipmentForm(request.POST or None, warehouses=warehouses)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                shipment = services.create_shipment(
                    order=order,
                    warehouse=data["warehouse"],
                    carrier=data["carrier"],
                    tracking_number=data["tracking_number"],
                    by=request.user,
                )
            except (PaymentError, services.OrderError) as problem:
                form.add_error(None, problem.message)
            else:
                captured = order.money(shipment.amount_captured)
                self.message_user(
                    request,
                    f"Shipped from {shipment.warehouse}: {shipment.carrier} "
                    f"{shipment.tracking_number}; captured {captured}.",
                )
                return redirect("admin:orders_order_change", order.pk)
        show_contact = sees_contact_details(request.user)
        if request.method == "GET":
            audit.record_access(
                staff=request.user,
                action=AuditAction.VIEWED,
                subject_user_id=order.user_id,
                subject_email=order.email,
                obj=order,
                detail="ship page: shipping address" + (", email" if show_contact else ""),
                path=request.path,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Ship order {order.number}",
            "order": order,
            "ship_to": [*order.shipping_address.lines(), order.shipping_address.phone],
            "show_contact": show_contact,
            "waiting": waiting,
            "form": form,
            "opts": self.model._meta,
        }
        status = 400 if form.is_bound and form.errors else 200
        return render(request, "admin/orders/order/ship.html", context, status=status)

    def _each(self, request, queryset, step, done: str):
        moved = 0
        for order in queryset:
            try:
                step(order)
            except (services.OrderError, PaymentError) as problem:
                self.message_user(request, f"{order.number}: {problem.message}", messages.ERROR)
            else:
                moved += 1
        if moved:
            self.message_user(request, f"{moved} order(s) {done}.", messages.SUCCESS)

    @admin.action(description="Start processing", permissions=("ship",))
    def start_processing(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda o: services.start_processing(order=o, by=request.user),
            "now processing",
        )

    @admin.action(description="Mark delivered", permissions=("ship",))
    def mark_delivered(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda o: services.mark_delivered(order=o, by=request.user),
            "marked delivered",
        )

    @admin.action(description="Cancel (voids the payment)", permissions=("cancel",))
    def cancel(self, request, queryset):
        self._each(
            request,
            queryset,
            lambda o: services.cancel_order(
                order=o, by=request.user, as_staff=True, reason="Cancelled by staff"
            ),
            "cancelled",
        )
