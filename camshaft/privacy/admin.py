"""Back office for privacy: the breach register with its 72-hour clock and
notices (V6), and the sharing register (V10), read-only."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from camshaft.consent import services as consent_services
from camshaft.consent import sharing
from camshaft.consent.models import ConsentRecord, PrivacyPolicyVersion
from camshaft.core.admin import AuditedPersonalDataAdmin, RecordAdmin
from camshaft.privacy import selectors, services
from camshaft.privacy.models import (
    BreachIncident,
    BreachNotice,
    DataRequest,
)
from camshaft.privacy.views import zip_download

# --- Breach register (V6) and sharing register (V10) -----------------------


class BreachIncidentForm(forms.ModelForm):
    data_categories = forms.MultipleChoiceField(
        label="Data affected",
        choices=BreachIncident.DataCategory.choices,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = BreachIncident
        fields = services.BREACH_FIELDS

    def clean(self):
        data = super().clean()
        entered = {name: data.get(name) for name in services.BREACH_FIELDS}
        for field, problem in services.breach_problems(**entered).items():
            if field not in self.errors:
                self.add_error(field if field in self.fields else None, problem)
        return data


@admin.register(BreachIncident)
class BreachIncidentAdmin(admin.ModelAdmin):
    form = BreachIncidentForm
    list_display = (
        "title",
        "discovered_at",
        "status",
        "clock",
        "authority_notified_at",
        "notice_count",
        "people_notified_at",
    )
    list_filter = ("status",)
    search_fields = ("title",)
    date_hierarchy = "discovered_at"
    readonly_fields = ("clock", "recorded_at", "recorded_by", "people_notified_at", "notices")
    fieldsets = (
        (None, {"fields": ("title", "description", "data_categories", "discovered_at", "status")}),
        (
            "Who is affected",
            {
                "fields": ("selection", "affected_emails", "period_start", "period_end"),
                "description": "Members are placed by their address book, else their latest "
                "order; guests by their latest order. Only people living in the EU/EEA are "
                "mailed.",
            },
        ),
        ("What we did and what people should do (both go into the mail)", {
            "fields": ("measures_taken", "advice"),
        }),
        (
            "72-hour clock",
            {
                "fields": (
                    "clock",
                    "authority_notified_at",
                    "authority_reference",
                    "people_notified_at",
                    "notices",
                )
            },
        ),
        ("Internal", {"fields": ("notes", "recorded_at", "recorded_by")}),
    )  # fmt: skip
    change_form_template = "admin/privacy/breachincident/change_form.html"
    change_list_template = "admin/privacy/breachincident/change_list.html"

    def get_queryset(self, request):
        return selectors.breach_register().select_related("recorded_by")

    def has_delete_permission(self, request, obj=None):
        # Every breach stays in the register (V6).
        return False

    def has_notify_permission(self, request) -> bool:
        return request.user.has_perm("privacy.notify_breach")

    @admin.display(description="72-hour clock")
    def clock(self, incident):
        if incident.pk is None:
            return "Starts at the discovery time."
        return str(selectors.breach_clock(incident))

    @admin.display(description="notices sent", ordering="notice_count")
    def notice_count(self, incident):
        return incident.notice_count

    @admin.display(description="notices")
    def notices(self, incident):
        if incident.pk is None:
            return "None yet."
        url = (
            reverse("admin:privacy_breachnotice_changelist") + f"?incident__id__exact={incident.pk}"
        )
        return format_html('<a href="{}">{} notified</a>', url, incident.notice_count)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.BREACH_FIELDS}
        if change:
            services.update_breach(incident=obj, **fields)
            return
        incident = services.record_breach(by=request.user, **fields)
        # The admin goes on with `obj` (its history entry, the redirect).
        obj.pk, obj.recorded_at, obj.recorded_by = incident.pk, incident.recorded_at, request.user

    def get_urls(self):
        return [
            path(
                "<int:incident_id>/notify/",
                self.admin_site.admin_view(self.notify_view),
                name="privacy_breachincident_notify",
            ),
            path(
                "sharing-register/",
                self.admin_site.admin_view(self.sharing_register_view),
                name="privacy_sharing_register",
            ),
            *super().get_urls(),
        ]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        extra_context = {**(extra_context or {}), "can_notify": self.has_notify_permission(request)}
        return super().change_view(request, object_id, form_url, extra_context)

    def notify_view(self, request, incident_id: int):
        """Shows how many people the incident reaches; on POST, mails those
        in the EU/EEA who have not had a notice yet."""
        if not (self.has_notify_permission(request) and self.has_view_permission(request)):
            raise PermissionDenied
        incident = get_object_or_404(self.get_queryset(request), pk=incident_id)
        if request.method == "POST":
            done = services.notify_breach(incident=incident)
            self.message_user(
                request,
                f"{done.sent} people notified ({done.already_notified} already had a notice; "
                f"{done.outside_eu_eea} live outside the EU/EEA; {done.unknown_country} "
                f"without a known country; {done.undeliverable} undeliverable).",
            )
            return redirect("admin:privacy_breachincident_change", incident.pk)
        context = {
            **self.admin_site.each_context(request),
            "title": f"Notify the people affected by “{incident}”",
            "incident": incident,
            "preview": selectors.breach_preview(incident),
            "clock": selectors.breach_clock(incident),
            "opts": self.model._meta,
        }
        return render(request, "admin/privacy/breachincident/notify.html", context)

    def sharing_register_view(self, request):
        context = {
            **self.admin_site.each_context(request),
            "title": "Sharing register",
            "register": sharing.SHARING_REGISTER,
            "opts": self.model._meta,
        }
        return render(request, "admin/privacy/sharing_register.html", context)


@admin.register(BreachNotice)
class BreachNoticeAdmin(RecordAdmin, AuditedPersonalDataAdmin, admin.ModelAdmin):
    """Who was told about which breach, and the mail that told them."""

    audit_email_attr = "email"
    list_display = ("email", "country", "incident", "sent_at", "mail")
    list_filter = ("incident", "country")
    search_fields = ("=email",)
    list_select_related = ("incident", "message")

    def get_readonly_fields(self, request, obj=None):
        return [field.name for field in BreachNotice._meta.fields]

    @admin.display(description="mail")
    def mail(self, notice):
        if notice.message is None:
            return "—"
        url = reverse("admin:notifications_outboxmessage_change", args=[notice.message_id])
        return format_html('<a href="{}">{}</a>', url, notice.message.get_status_display())


# --- Policy versions (V1), consents, data requests (V3, V4), children (V7) ---


class PolicyForm(forms.ModelForm):
    class Meta:
        model = PrivacyPolicyVersion
        fields = ("version", "summary", "body", "effective_at", "material")

    def clean(self):
        data = super().clean()
        if self.instance.pk is None:
            problems = consent_services.policy_problems(
                version=data.get("version", ""),
                effective_at=data.get("effective_at"),
                material=data.get("material", False),
            )
            for field, problem in problems.items():
                self.add_error(field, problem)
        return data


@admin.register(PrivacyPolicyVersion)
class PrivacyPolicyVersionAdmin(admin.ModelAdmin):
    """Versions are published, never edited: consent points at their text."""

    form = PolicyForm
    list_display = ("version", "published_at", "effective_at", "material", "members_notified_at")

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False

    def get_readonly_fields(self, request, obj=None):
        if obj is not None:
            return ("version", "summary", "body", "effective_at", "material")
        return ()

    def save_model(self, request, obj, form, change):
        obj.pk = services.publish_policy(**form.cleaned_data).pk
        obj.refresh_from_db()


@admin.register(ConsentRecord)
class ConsentRecordAdmin(RecordAdmin, AuditedPersonalDataAdmin, admin.ModelAdmin):
    """Proof of consent: read-only for everyone."""

    audit_email_attr = "email"

    list_display = ("purpose", "policy_version", "channel", "given_at", "withdrawn_at")
    list_filter = ("purpose", "channel")
    search_fields = ("=email",)
    show_full_result_count = False


class DataRequestForm(forms.ModelForm):
    email = forms.EmailField(
        required=False, help_text="The account's email, or the requester's if they have none."
    )

    class Meta:
        model = DataRequest
        fields = ("kind", "email", "identity_verified", "notes")

    def clean(self):
        data = super().clean()
        email = (data.get("email") or "").strip().lower()
        if not self.instance.pk and not email:
            self.add_error("email", "Enter the requester's email address.")
        return data


class ChildAccountForm(forms.Form):
    email = forms.EmailField(help_text="The email address of the account.")
    note = forms.CharField(
        max_length=300, help_text="How we learned it (kept with the request, no names)."
    )
    confirm = forms.BooleanField(
        label="I checked: this account belongs to a child under 13. Erase it now."
    )


@admin.register(DataRequest)
class DataRequestAdmin(AuditedPersonalDataAdmin, admin.ModelAdmin):
    """Requests to get or erase data, against their one-month deadline."""

    audit_email_attr = "email"

    form = DataRequestForm
    list_display = ("__str__", "kind", "status", "due_at", "deadline", "identity_verified")
    list_filter = ("status", "kind", "channel")
    readonly_fields = ("requested_at", "due_at", "status", "completed_at", "handled_by", "channel")
    actions = ("carry_out",)
    change_list_template = "admin/privacy/datarequest/change_list.html"

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(description="Time left")
    def deadline(self, obj):
        if obj.status != DataRequest.Status.OPEN:
            return "answered"
        left = obj.due_at - timezone.now()
        if left.total_seconds() < 0:
            return format_html('<strong class="late">{} days late</strong>', -left.days)
        return f"{left.days} days"

    def save_model(self, request, obj, form, change):
        if change:
            super().save_model(request, obj, form, change)
            return
        from django.contrib.auth import get_user_model

        email = form.cleaned_data["email"].strip().lower()
        opened = services.open_data_request(
            kind=form.cleaned_data["kind"],
            channel="privacy officer",
            user=get_user_model().objects.filter(email=email).first(),
            email=email,
            by=request.user,
            notes=form.cleaned_data["notes"],
        )
        if form.cleaned_data["identity_verified"]:
            DataRequest.objects.filter(pk=opened.pk).update(identity_verified=True)
        obj.pk = opened.pk
        obj.refresh_from_db()

    def has_carry_out_permission(self, request):
        return request.user.has_perm("privacy.export_personal_data") and request.user.has_perm(
            "privacy.erase_personal_data"
        )

    @admin.action(
        description="Answer: download the data / erase the account", permissions=("carry_out",)
    )
    def carry_out(self, request, queryset):
        if queryset.count() != 1:
            self.message_user(request, "Answer one request at a time.", messages.WARNING)
            return None
        data_request = queryset.get()
        try:
            archive = services.carry_out_request(request=data_request, by=request.user)
        except ValidationError as error:
            self.message_user(request, error.messages[0], messages.ERROR)
            return None
        if archive is None:
            self.message_user(request, "The account is erased and a confirmation mail is queued.")
            return None
        return zip_download(archive, f"data-request-{data_request.pk}.zip")

    def get_urls(self):
        extra = [
            path(
                "child/",
                self.admin_site.admin_view(self.child_view),
                name="privacy_datarequest_child",
            )
        ]
        return extra + super().get_urls()

    def child_view(self, request):
        """V7: flag an account as a child's; it is erased at once."""
        if not request.user.has_perm("privacy.erase_personal_data"):
            raise PermissionDenied
        from django.contrib.auth import get_user_model

        form = ChildAccountForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            user = (
                get_user_model()
                .objects.filter(email=form.cleaned_data["email"].strip().lower(), is_staff=False)
                .first()
            )
            if user is None:
                form.add_error("email", "No customer account has this email.")
            else:
                services.erase_child(user=user, by=request.user, note=form.cleaned_data["note"])
                self.message_user(request, "The child's account and its data are erased.")
                return redirect("admin:privacy_datarequest_changelist")
        context = {
            **self.admin_site.each_context(request),
            "title": "Flag a child's account (under 13)",
            "form": form,
            "opts": self.model._meta,
        }
        return render(request, "admin/privacy/datarequest/child.html", context)
