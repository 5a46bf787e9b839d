from django.apps import AppConfig


class LedgerConfig(AppConfig):
    name = "fundraising.ledger"
    default_auto_field = "django.db.models.BigAutoField"
