from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "fundraising.pipeline"

    def ready(self):
        from fundraising.ledger.signals import period_changed

        from .tasks import period_changed_receive

        # The ledger announces changes; this layer turns each into one coalesced refresh.
        period_changed.connect(period_changed_receive, dispatch_uid="pipeline-period-refresh")
