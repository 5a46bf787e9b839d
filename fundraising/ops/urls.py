from django.conf import settings
from django.urls import path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    # Browsers ask for /favicon.ico on any page that names no icon (JSON, the admin's plain pages).
    path("favicon.ico", RedirectView.as_view(url=f"{settings.STATIC_URL}fundraising/favicon.svg", permanent=True),
         name="favicon"),
    path("healthz", views.healthz, name="healthz"),
    # 404 unless DEBUG: the demo's mailbox (EMAIL_BACKEND=fundraising.ops.mailbox.MailboxBackend)
    path("mailbox/", views.mailbox, name="mailbox"),
    path("mailbox/<str:name>/", views.mailbox_read, name="mailbox-message"),
]
