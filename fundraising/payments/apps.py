from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fundraising.payments"

    def ready(self):
        from . import checks  # noqa: F401 - registers the deploy check
