"""Back office for members, their addresses and API tokens."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from camshaft.accounts.roles import manages_staff, sees_contact_details
from camshaft.core.admin import AuditedPersonalDataAdmin

from .models import Address, ApiToken, User

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
