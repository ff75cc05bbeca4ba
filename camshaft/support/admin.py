"""The support desk in the back office (B4): the queue of tickets by state,
with their age and the ones waiting on us for more than one business day
highlighted; a ticket's thread with Answer (mailed to the customer), Close
and Reopen; and a small report. Each step is a service call."""

from datetime import timedelta

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.timesince import timesince
from django.views.decorators.http import require_POST

from camshaft.analytics.charts import bar_chart
from camshaft.core.admin import AuditedPersonalDataAdmin, ReadOnlyInline, RecordAdmin
from camshaft.core.models import AuditAction
from camshaft.core.services import record_access
from camshaft.support import rules, selectors, services
from camshaft.support.models import Status, Ticket, TicketMessage

ANSWER = "support.answer_ticket"


class QueueFilter(admin.SimpleListFilter):
    title = "queue"
    parameter_name = "queue"

    def lookups(self, request, model_admin):
        return (("late", "Waiting on us over a business day"),)

    def queryset(self, request, queryset):
        if self.value() == "late":
            return queryset.filter(pk__in=selectors.late_tickets().values("pk"))
        return queryset


class TicketMessageInline(ReadOnlyInline):
    model = TicketMessage
    fields = ("at", "author", "by", "channel", "body")
    readonly_fields = fields


class AnswerForm(forms.Form):
    message = forms.CharField(
        max_length=rules.MAX_MESSAGE,
        widget=forms.Textarea(attrs={"rows": 10, "cols": 80}),
        label="Answer (mailed to the customer with the ticket's reference)",
    )
    close = forms.BooleanField(required=False, label="Close the ticket with this answer")


@admin.register(Ticket)
class TicketAdmin(AuditedPersonalDataAdmin, RecordAdmin, admin.ModelAdmin):
    list_display = (
        "reference",
        "subject",
        "email",
        "status",
        "source",
        "age",
        "waiting",
        "order_link",
    )
    list_filter = (QueueFilter, "status", "source")
    search_fields = ("reference", "email", "order__number")
    list_select_related = ("order",)
    ordering = ("-last_message_at",)
    inlines = (TicketMessageInline,)
    audit_email_attr = "email"
    readonly_fields = (
        "reference",
        "status",
        "user",
        "email",
        "name",
        "subject",
        "order",
        "order_number_given",
        "source",
        "opened_at",
        "waiting_since",
        "first_answer_at",
        "last_message_at",
        "closed_at",
        "related",
        "erased_at",
    )

    @admin.display(description="Age", ordering="opened_at")
    def age(self, ticket):
        return timesince(ticket.opened_at)

    @admin.display(description="Waiting on us", ordering="waiting_since")
    def waiting(self, ticket):
        if ticket.status != Status.OPEN or ticket.waiting_since is None:
            return "—"
        since = timesince(ticket.waiting_since)
        if selectors.is_late(ticket):
            return format_html('<strong class="overdue late-ticket">{} (late)</strong>', since)
        return since

    @admin.display(description="Order", ordering="order__number")
    def order_link(self, ticket):
        if ticket.order is None:
            return ticket.order_number_given and f"{ticket.order_number_given} (not matched)"
        url = reverse("admin:orders_order_change", args=[ticket.order_id])
        return format_html('<a href="{}">{}</a>', url, ticket.order.number)

    def get_urls(self):
        views = (
            ("<int:pk>/answer/", self.answer_view, "answer"),
            ("<int:pk>/close/", require_POST(self.close_view), "close"),
            ("<int:pk>/reopen/", require_POST(self.reopen_view), "reopen"),
            ("report/", self.report_view, "report"),
        )
        return [
            *(
                path(route, self.admin_site.admin_view(view), name=f"support_ticket_{name}")
                for route, view, name in views
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_answer": request.user.has_perm(ANSWER)}
        return super().change_view(request, object_id, form_url, extra_context)

    def changelist_view(self, request, extra_context=None):
        extra_context = {
            **(extra_context or {}),
            "counts": selectors.counts_by_status(),
            "late": selectors.late_tickets().count(),
        }
        return super().changelist_view(request, extra_context)

    def _ticket(self, request, pk: int) -> Ticket:
        if not request.user.has_perm(ANSWER):
            raise PermissionDenied
        return get_object_or_404(selectors.with_thread(Ticket.objects.all()), pk=pk)

    def answer_view(self, request, pk: int):
        ticket = self._ticket(request, pk)
        form = AnswerForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.answer_ticket(
                    ticket=ticket,
                    message=form.cleaned_data["message"],
                    close=form.cleaned_data["close"],
                    by=request.user,
                )
            except services.TicketProblem as problem:
                form.add_error(None, problem)
            else:
                self.message_user(
                    request,
                    f"Answer mailed to the customer ({ticket.reference}).",
                    messages.SUCCESS,
                )
                return redirect("admin:support_ticket_change", ticket.pk)
        if request.method == "GET":
            record_access(
                staff=request.user,
                action=AuditAction.VIEWED,
                subject_user_id=ticket.user_id,
                subject_email=ticket.email,
                obj=ticket,
                detail="answer page: the thread",
                path=request.path,
            )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Answer {ticket.reference}",
            "opts": self.model._meta,
            "ticket": ticket,
            "form": form,
        }
        return render(
            request,
            "admin/support/ticket/answer.html",
            context,
            status=400 if form.errors else 200,
        )

    def close_view(self, request, pk: int):
        ticket = self._ticket(request, pk)
        services.close_ticket(ticket=ticket, by=request.user)
        self.message_user(request, f"{ticket.reference} closed.", messages.SUCCESS)
        return redirect("admin:support_ticket_change", ticket.pk)

    def reopen_view(self, request, pk: int):
        ticket = self._ticket(request, pk)
        try:
            services.reopen_ticket(ticket=ticket, by=request.user)
        except services.TicketProblem as problem:
            self.message_user(request, " ".join(problem.messages), messages.ERROR)
        else:
            self.message_user(request, f"{ticket.reference} reopened.", messages.SUCCESS)
        return redirect("admin:support_ticket_change", ticket.pk)

    def report_view(self, request):
        """Tickets opened per day and the time to the first answer: totals only."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            days = int(request.GET.get("days") or 30)
        except ValueError:
            days = 30
        days = min(max(days, 1), 365)
        figures = selectors.report(since=timezone.now() - timedelta(days=days))
        chart = bar_chart(
            "Tickets opened per day",
            [(f"{day:%a %-d %b}", n, str(n)) for day, n in figures["per_day"]],
        )
        waits = bar_chart(
            "Time to the first answer (tickets)",
            [(label, n, str(n)) for label, n in figures["first_answer"]],
        )
        context = {
            **self.admin_site.each_context(request),
            "title": f"Support: the last {days} days",
            "waits": waits,
            "opts": self.model._meta,
            "figures": figures,
            "chart": chart,
            "days": days,
        }
        return render(request, "admin/support/ticket/report.html", context)
