from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "fundraising.payments"
