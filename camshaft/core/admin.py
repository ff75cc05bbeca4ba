"""Back office for the audit log (A4), the mixin that writes it from any
admin page showing a customer's personal data, the one for records
nobody may edit, and the read-only inline for their lines and history."""

from django.contrib import admin
from django.contrib.admin.utils import flatten_fieldsets
from django.contrib.auth import get_user_model
from django.db.models import Q

from camshaft.core import services
from camshaft.core.models import AuditAction, AuditEntry


class RecordAdmin:
    """Mix into a ModelAdmin of records kept as evidence (mail sent, consents,
    breach notices, the audit log): staff read them, nobody adds, edits or
    deletes them here, superusers included."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """An inline of an object's history or lines, shown as it was recorded:
    no row is added, changed or deleted from the parent's page."""

    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class AuditedPersonalDataAdmin:
    """Mix into a ModelAdmin whose records hold a customer's personal data.

    Opening a record writes one "viewed" entry; a list page writes one
    "listed" entry naming the rows it showed; saving and deleting write
    "changed" and "deleted". Set `audit_user_id_attr` to the attribute that
    holds the customer's user id ("pk" for the user itself) and
    `audit_email_attr` to one holding their email, where there is one."""

    audit_user_id_attr: str | None = "user_id"
    audit_email_attr: str | None = None

    def audit_subject(self, obj) -> tuple[int | None, str]:
        user_id = getattr(obj, self.audit_user_id_attr) if self.audit_user_id_attr else None
        email = getattr(obj, self.audit_email_attr) if self.audit_email_attr else ""
        return user_id, email or ""

    def _record(self, request, obj, action: str, detail: str) -> None:
        user_id, email = self.audit_subject(obj)
        services.record_access(
            staff=request.user,
            action=action,
            subject_user_id=user_id,
            subject_email=email,
            obj=obj,
            detail=detail,
            path=request.path,
        )

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        # Only a plain GET is a look; a POST with errors re-shows what the
        # clerk just had open, and a successful one is logged as a change.
        if change and obj is not None and request.method == "GET":
            shown = flatten_fieldsets(context["adminform"].fieldsets)
            inlines = [
                str(formset.opts.verbose_name_plural)
                for formset in context.get("inline_admin_formsets", ())
            ]
            detail = "fields: " + ", ".join(shown)
            if inlines:
                detail += "; with " + ", ".join(inlines)
            self._record(request, obj, AuditAction.VIEWED, detail)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def changelist_view(self, request, extra_context=None):
        response = super().changelist_view(request, extra_context)
        changelist = (getattr(response, "context_data", None) or {}).get("cl")
        if request.method == "GET" and changelist is not None:
            # Evaluating the page here fills the queryset's cache, so the
            # template shows these very rows without a second query.
            rows = list(changelist.result_list)
            if rows:
                services.record_listing(
                    staff=request.user,
                    object_type=self.model._meta.label_lower,
                    object_ids=[row.pk for row in rows],
                    subject_user_ids=[self.audit_subject(row)[0] for row in rows],
                    detail="columns: " + ", ".join(map(str, changelist.list_display)),
                    path=request.get_full_path(),
                )
        return response

    def log_change(self, request, obj, message):
        self._record(request, obj, AuditAction.CHANGED, str(message))
        return super().log_change(request, obj, message)

    def log_deletions(self, request, queryset):
        for obj in queryset:
            self._record(request, obj, AuditAction.DELETED, str(obj))
        return super().log_deletions(request, queryset)


@admin.register(AuditEntry)
class AuditEntryAdmin(RecordAdmin, admin.ModelAdmin):
    """Read-only for everyone, superusers included: a log that staff could
    edit would prove nothing. The privacy officer and administrators read it."""

    list_display = (
        "at",
        "staff_email",
        "action",
        "object_type",
        "object_ids_short",
        "subject_user_id",
        "detail_short",
    )
    list_filter = (
        "action",
        ("staff", admin.RelatedOnlyFieldListFilter),
        "at",
        "object_type",
    )
    date_hierarchy = "at"
    search_fields = ("staff_email",)
    search_help_text = (
        "A customer's id or email address finds every look at their data; "
        "other text matches the staff member's email."
    )
    show_full_result_count = False
    readonly_fields = (
        "at",
        "staff",
        "staff_email",
        "action",
        "subject_user_id",
        "subject_email_hash",
        "listed_user_ids",
        "object_type",
        "object_ids",
        "detail",
        "path",
    )

    @admin.display(description="records")
    def object_ids_short(self, entry):
        return _shorten(entry.object_ids)

    @admin.display(description="detail")
    def detail_short(self, entry):
        return _shorten(entry.detail)

    def get_search_results(self, request, queryset, search_term):
        term = search_term.strip()
        if term.isdigit():
            return queryset.filter(_about_customer(int(term))), False
        if "@" in term:
            # By the hash, entries about a person are found even after their
            # account was erased; by the account, those that named only its id.
            found = Q(subject_email_hash=services.email_hash(term)) | Q(staff_email__iexact=term)
            account = get_user_model().objects.filter(email__iexact=term).first()
            if account is not None:
                found |= _about_customer(account.pk)
            return queryset.filter(found), False
        return super().get_search_results(request, queryset, search_term)


def _about_customer(user_id: int) -> Q:
    return Q(subject_user_id=user_id) | Q(listed_user_ids__contains=f" {user_id} ")


def _shorten(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"
