"""WSGI entry point for gunicorn: Django, behind the widget fast path."""
import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "fundraising.settings")
django_application = get_wsgi_application()

from fundraising.widgets.fastpath import WidgetFastPath  # noqa: E402  (needs Django set up)

application = WidgetFastPath(django_application)
