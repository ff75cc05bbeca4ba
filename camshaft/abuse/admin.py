"""Back office: the abusive clients on record, and lifting a penalty (V11)."""

from django.contrib import admin, messages
from django.utils import timezone

from camshaft.abuse import services
from camshaft.abuse.models import AbusiveClient


@admin.register(AbusiveClient)
class AbusiveClientAdmin(admin.ModelAdmin):
    list_display = (
        "client",
        "slowed_now",
        "slowed_until",
        "offences",
        "total_offences",
        "doors_hit",
        "last_door",
        "first_seen",
        "last_seen",
    )
    list_filter = ("last_door",)
    search_fields = ("=client_digest",)
    date_hierarchy = "last_seen"
    actions = ("clear_penalty",)
    readonly_fields = (
        "client_digest",
        "offences",
        "total_offences",
        "doors",
        "last_door",
        "first_seen",
        "last_seen",
        "slowed_until",
        "cleared_at",
    )

    @admin.display(description="client (keyed hash)", ordering="client_digest")
    def client(self, record: AbusiveClient) -> str:
        return f"{record.client_digest[:12]}…"

    @admin.display(description="slowed now", boolean=True)
    def slowed_now(self, record: AbusiveClient) -> bool:
        return record.slowed_until > timezone.now()

    @admin.display(description="offences per door")
    def doors_hit(self, record: AbusiveClient) -> str:
        return ", ".join(f"{door} {count}" for door, count in sorted(record.doors.items()))

    @admin.action(
        description="Clear: lift the penalty and forget the run of offences",
        permissions=["change"],
    )
    def clear_penalty(self, request, queryset):
        for record in queryset:
            services.clear(record=record)
        messages.success(request, f"Cleared {len(queryset)} client(s).")

    def has_add_permission(self, request) -> bool:
        return False
