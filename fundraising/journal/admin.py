"""Journal › Entries: what happened and whether what follows it ran, for operators (superusers only: entries
of every organisation are listed, and their data is for debugging, not for members)."""

from django.contrib import admin

from .models import Entry


@admin.register(Entry)
class EntryAdmin(admin.ModelAdmin):
    list_display = ["created_at", "kind", "key", "campaign_id", "dispatched_at", "attempts", "last_error"]
    list_filter = ["kind", ("dispatched_at", admin.EmptyFieldListFilter)]
    search_fields = ["key"]
    ordering = ["-pk"]
    readonly_fields = [field.name for field in Entry._meta.fields]
    show_full_result_count = False  # the journal grows with every write: no COUNT(*) of it per page

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_add_permission(self, request):
        return False  # appended by the services only

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
