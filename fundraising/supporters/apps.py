from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "fundraising.supporters"

    def ready(self):
        from fundraising.journal.dispatch import consumer_register

        from .consumers import REGISTRY

        # The journal records payments; this layer writes to the supporter.
        for kind, consumer in REGISTRY:
            consumer_register(kind, consumer)
