from django.contrib import admin

from aftersales.notifications.models import Message


@admin.register(Message)
class MessageAdmin(admin.ModelAdmin):
    list_display = ("id", "created_at", "shop", "case", "audience", "channel", "template", "status",
                    "attempts", "next_attempt_at", "sent_at")
    list_filter = ("status", "channel", "audience", "template")
    search_fields = ("dedupe_key", "recipient", "case__number")
    readonly_fields = [f.name for f in Message._meta.fields]
    raw_id_fields = ("shop", "case", "recipient_user")
