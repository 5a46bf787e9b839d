from django.urls import path

from . import views

urlpatterns = [
    path("healthz", views.healthz, name="healthz"),
    # 404 unless DEBUG: the demo's mailbox (EMAIL_BACKEND=fundraising.ops.mailbox.MailboxBackend)
    path("mailbox/", views.mailbox, name="mailbox"),
    path("mailbox/<str:name>/", views.mailbox_read, name="mailbox-message"),
]
