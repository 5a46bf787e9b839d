from django.apps import AppConfig


class WidgetsConfig(AppConfig):
    name = "fundraising.widgets"

    def ready(self):
        from fundraising.journal.dispatch import consumer_register

        from .consumers import REGISTRY

        for kind, consumer in REGISTRY:
            consumer_register(kind, consumer)
