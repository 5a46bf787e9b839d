"""Top-level routes; each app owns its paths (see ../shared/DESIGN.md for the public ones)."""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fundraising"
admin.site.site_title = "Fundraising admin"
admin.site.index_title = "Campaigns, periods and donations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("fundraising.campaigns.urls")),
    path("", include("fundraising.payments.urls")),
    path("", include("fundraising.widgets.urls")),
]
