from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fundraising.payments"

    def ready(self):
        from fundraising.journal.dispatch import consumer_register

        from . import checks  # noqa: F401 - registers the deploy check
        from .consumers import REGISTRY

        for kind, consumer in REGISTRY:
            consumer_register(kind, consumer)
