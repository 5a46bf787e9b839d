from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "fundraising.ops"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy checks
