from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "fundraising.pipeline"

    def ready(self):
        from fundraising.journal.dispatch import consumer_register

        from .consumers import REGISTRY

        # The journal records changes; this layer turns each into coalesced refreshes and the owners' e-mails.
        for kind, consumer in REGISTRY:
            consumer_register(kind, consumer)
