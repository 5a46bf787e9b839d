"""WSGI entry point for gunicorn: Django, behind the widget fast path."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundraising.settings")
django_application = get_wsgi_application()

from fundraising.ops.beat import EmbeddedBeat  # noqa: E402  (needs Django set up)
from fundraising.widgets.fastpath import WidgetFastPath  # noqa: E402

# Without a broker, EmbeddedBeat runs the periodic tasks after Django's responses (webhooks, pages;
# not the fast path's widget hits, which must stay cheap). A no-op with Redis.
application = WidgetFastPath(EmbeddedBeat(django_application))
