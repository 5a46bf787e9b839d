"""Top-level routes; each app owns its paths (docs/urls.md lists the public ones).

- /c/<slug>/ donation and thanks pages, /stripe/webhook/: fundraising/payments/urls.py
- /w/<slug>.json|.svg|/ widgets: fundraising/widgets/urls.py (drawn by fundraising/widgets/render.py)
- /c/<slug>/manage/... a supporter's gifts, without an account: fundraising/supporters/urls.py
- /healthz, /mailbox/: fundraising/ops/urls.py; / (the campaigns with their bars): fundraising/widgets/urls.py
"""

from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "Fundraising"
admin.site.site_title = "Fundraising admin"
admin.site.index_title = "Campaigns, periods and donations"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("fundraising.campaigns.urls")),
    path("", include("fundraising.payments.urls")),
    path("", include("fundraising.supporters.urls")),
    path("", include("fundraising.widgets.urls")),
    path("", include("fundraising.ops.urls")),
]
