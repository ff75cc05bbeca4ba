"""Back office: carts are read-only (they belong to shoppers)."""

from django.contrib import admin

from camshaft.cart.models import Cart, CartLine


class CartLineInline(admin.TabularInline):
    model = CartLine
    extra = 0
    fields = ("part", "quantity", "added_at")
    readonly_fields = fields
    can_delete = False


@admin.register(Cart)
class CartAdmin(admin.ModelAdmin):
    list_display = ("id", "user", "created_at", "updated_at")
    readonly_fields = ("user", "created_at", "updated_at")
    exclude = ("token",)
    inlines = (CartLineInline,)
    show_full_result_count = False

    def has_add_permission(self, request):
        return False
