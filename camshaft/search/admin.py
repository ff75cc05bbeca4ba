"""Back office for search (B1, C5): the synonym and abbreviation list."""

from django.contrib import admin

from camshaft.search import synonyms
from camshaft.search.models import SynonymRule


@admin.register(SynonymRule)
class SynonymRuleAdmin(admin.ModelAdmin):
    list_display = ("rule", "is_active", "source", "updated_at")
    list_filter = ("is_active", "source")
    list_editable = ("is_active",)
    search_fields = ("rule",)
    readonly_fields = ("source", "updated_at")

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        synonyms.forget()

    def delete_model(self, request, obj):
        super().delete_model(request, obj)
        synonyms.forget()
