"""Back office: the aggregate analytics report (V9) and the record of
cookie choices (V2). No page shows one visitor's events."""

from django.contrib import admin
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.urls import path

from camshaft.analytics import charts, selectors
from camshaft.analytics.forms import ReportRangeForm
from camshaft.analytics.models import AnalyticsReport, CookieChoice
from camshaft.core.admin import RecordAdmin

REPORT_PERMISSION = "analytics.view_analytics_report"


def _search_chart(title: str, rows: list[selectors.SearchRow]):
    return charts.bar_chart(title, [(r.query, r.searches, str(r.searches)) for r in rows])


def report_charts(report: selectors.Report) -> dict:
    funnel_rows = [
        (
            step.label,
            step.visitors,
            f"{step.visitors}" + (f" ({step.of_first}%)" if step.of_first is not None else ""),
        )
        for step in report.funnel
    ]
    slow = report.slowest_pages
    return {
        "top_searches": _search_chart("Top searches", report.top_searches),
        "zero_results": _search_chart("Searches that found nothing", report.zero_result_searches),
        "funnel": charts.bar_chart("Funnel: visitors at each step", funnel_rows),
        "slowest": charts.bar_chart(
            "Slowest pages: p50 (dark) and p95 (pale), ms",
            [(t.route, t.p50_ms, f"{t.p50_ms} / {t.p95_ms} ms") for t in slow],
            behind=[t.p95_ms for t in slow],
        ),
        "per_day": charts.column_chart(
            "Page views per day",
            [
                (d.day.strftime("%b %d"), d.views, f"{d.day}: {d.views} views")
                for d in report.views_per_day
            ],
        ),
    }


@admin.register(AnalyticsReport)
class AnalyticsReportAdmin(RecordAdmin, admin.ModelAdmin):
    """One page of aggregates with a date range; the event rows themselves
    have no list or change page."""

    def has_module_permission(self, request):
        return request.user.has_perm(REPORT_PERMISSION)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(REPORT_PERMISSION)

    def get_urls(self):
        return [
            path(
                "",
                self.admin_site.admin_view(self.report_view),
                name="analytics_analyticsreport_changelist",
            )
        ]

    def report_view(self, request):
        if not self.has_view_permission(request):
            raise PermissionDenied
        form = ReportRangeForm(request.GET)
        report = selectors.report(form.cleaned_data["period"]) if form.is_valid() else None
        context = {
            **self.admin_site.each_context(request),
            "title": "Analytics",
            "opts": self.model._meta,
            "form": form,
            "report": report,
            "charts": report_charts(report) if report else None,
        }
        status = 200 if report else 400
        return render(request, "admin/analytics/report.html", context, status=status)


@admin.register(CookieChoice)
class CookieChoiceAdmin(RecordAdmin, admin.ModelAdmin):
    """The record of choices (evidence of consent): read only, never deleted here."""

    list_display = ("chosen_at", "analytics", "channel", "policy_version")
    list_filter = ("analytics", "channel", "policy_version")
    date_hierarchy = "chosen_at"
    show_full_result_count = False
    # Who chose is left out: the report of choices needs no one's identity.
    fields = ("chosen_at", "analytics", "channel", "policy_version")
    readonly_fields = fields
    list_select_related = ("policy_version",)
