"""Back office for members, their addresses and API tokens."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import render

from camshaft.accounts import services
from camshaft.accounts.forms import StaffInvitationForm, apply_errors
from camshaft.accounts.roles import manages_staff, role_named, sees_contact_details
from camshaft.core.admin import AuditedPersonalDataAdmin

from .models import Address, ApiToken, StaffInvitation, User

#: Fields on the user page that only role managers may change (A4).
STAFF_FIELDS = ("is_staff", "is_superuser", "groups")
#: Fields that only staff allowed to see contact details are shown (A4).
CONTACT_FIELDS = ("phone", "date_of_birth")


class AddressInline(admin.StackedInline):
    model = Address
    extra = 0


@admin.register(User)
class UserAdmin(AuditedPersonalDataAdmin, BaseUserAdmin):
    audit_user_id_attr = "pk"
    audit_email_attr = "email"
    ordering = ("email",)
    list_display = ("email", "first_name", "last_name", "is_staff", "is_active")
    search_fields = ("email", "first_name", "last_name")
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Profile", {"fields": ("first_name", "last_name", "phone", "date_of_birth")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)
    inlines = (AddressInline,)

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or sees_contact_details(request.user):
            return fieldsets
        return [
            (name, {**opts, "fields": [f for f in opts["fields"] if f not in CONTACT_FIELDS]})
            for name, opts in fieldsets
        ]

    def get_inlines(self, request, obj):
        return self.inlines if sees_contact_details(request.user) else ()

    def get_readonly_fields(self, request, obj=None):
        readonly = super().get_readonly_fields(request, obj)
        return readonly if manages_staff(request.user) else (*readonly, *STAFF_FIELDS)

    def has_change_permission(self, request, obj=None):
        # A clerk who may edit customers must not edit a staff account: its
        # password or its roles would be a way into more than their own role.
        if obj is not None and obj.is_staff and not manages_staff(request.user):
            return False
        return super().has_change_permission(request, obj)

    def has_add_permission(self, request):
        # Shoppers register themselves and staff are invited (A4): an account
        # made here would have a password its maker knows.
        return False

    def user_change_password(self, request, id, form_url=""):
        """Nobody sets another person's password: they reset it by mail, or
        an administrator withdraws their access (A2)."""
        if str(request.user.pk) != str(id):
            raise PermissionDenied(
                "Only the account's owner sets its password: send them to "
                "'Forgot your password?' on the sign-in page."
            )
        return super().user_change_password(request, id, form_url)


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Tokens can be looked at and revoked (deleted), never made or read here."""

    list_display = ("prefix", "user", "created_at", "last_used_at")
    search_fields = ("prefix", "user__email")
    readonly_fields = ("user", "prefix", "created_at", "last_used_at")
    exclude = ("key_hash",)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(StaffInvitation)
class StaffInvitationAdmin(admin.ModelAdmin):
    """Administrators invite staff (A4): the invited person chooses their
    own password through a one-time link, then sets up two-factor sign-in."""

    list_display = ("user", "role", "invited_by", "created_at", "expires_at", "state")
    list_filter = ("role",)
    search_fields = ("user__email",)
    readonly_fields = ("user", "role", "invited_by", "created_at", "expires_at", "used_at")
    exclude = ("token_hash",)
    actions = ("withdraw",)

    def has_view_permission(self, request, obj=None):
        return manages_staff(request.user)

    def has_add_permission(self, request):
        return manages_staff(request.user)

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Withdraw the selected invitations")
    def withdraw(self, request, queryset):
        count = services.withdraw_invitations(invitations=queryset, by=request.user)
        self.message_user(request, f"{count} invitation{'s' if count != 1 else ''} withdrawn.")

    def add_view(self, request, form_url="", extra_context=None):
        if not self.has_add_permission(request):
            raise PermissionDenied
        form = StaffInvitationForm(request.POST or None)
        issued = None
        if request.method == "POST" and form.is_valid():
            try:
                issued = services.invite_staff(
                    email=form.cleaned_data["email"],
                    role=role_named(form.cleaned_data["role"]),
                    invited_by=request.user,
                )
            except ValidationError as error:
                apply_errors(form, error)
        context = {
            **self.admin_site.each_context(request),
            "title": "Invite a staff member",
            "form": form,
            "issued": issued,
            "opts": self.model._meta,
        }
        return render(request, "admin/accounts/staffinvitation/invite.html", context)
