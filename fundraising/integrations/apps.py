from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "fundraising.integrations"
    verbose_name = "Integrations"

    def ready(self):
        from fundraising.journal.dispatch import consumer_register

        from .consumers import REGISTRY

        # The journal records what happened; this app turns each entry into signed outgoing events.
        for kind, consumer in REGISTRY:
            consumer_register(kind, consumer)
