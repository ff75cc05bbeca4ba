"""Forms: the visitor's cookie choice (V2) and the report's date range (V9)."""

from datetime import timedelta

from django import forms
from django.utils import timezone

from camshaft.analytics.selectors import DateRange

ACCEPT = "accept"
REJECT = "reject"
DEFAULT_REPORT_DAYS = 30
MAX_REPORT_DAYS = 400


class CookieChoiceForm(forms.Form):
    analytics = forms.ChoiceField(
        choices=[(ACCEPT, "Allow analytics cookies"), (REJECT, "Necessary cookies only")],
        error_messages={"required": "Choose whether to allow analytics cookies."},
    )
    next = forms.CharField(required=False, max_length=2000)

    @property
    def accepted(self) -> bool:
        return self.cleaned_data["analytics"] == ACCEPT


class ReportRangeForm(forms.Form):
    start = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        today = timezone.now().date()
        end = data.get("end") or today
        start = data.get("start") or end - timedelta(days=DEFAULT_REPORT_DAYS - 1)
        if start > end:
            raise forms.ValidationError("The start date must be on or before the end date.")
        if (end - start).days + 1 > MAX_REPORT_DAYS:
            raise forms.ValidationError(f"Choose at most {MAX_REPORT_DAYS} days.")
        data["period"] = DateRange(start=start, end=end)
        return data
