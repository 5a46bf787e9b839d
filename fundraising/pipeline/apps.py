from django.apps import AppConfig


class PipelineConfig(AppConfig):
    name = "fundraising.pipeline"

    def ready(self):
        from fundraising.ledger.signals import period_changed, periods_closed

        from .tasks import period_changed_receive, periods_closed_receive

        # The ledger announces changes; this layer turns each into one coalesced refresh.
        period_changed.connect(period_changed_receive, dispatch_uid="pipeline-period-refresh")
        periods_closed.connect(periods_closed_receive, dispatch_uid="pipeline-periods-closed")
