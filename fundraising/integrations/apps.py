from django.apps import AppConfig


class IntegrationsConfig(AppConfig):
    name = "fundraising.integrations"
    verbose_name = "Integrations"

    def ready(self):
        from fundraising.ledger import signals

        from . import receivers

        # The lower layers announce; this app turns each announcement into signed outgoing events.
        signals.donation_status_changed.connect(receivers.donation_status_changed, dispatch_uid="integrations-donation")
        signals.donation_refunded.connect(receivers.donation_refunded, dispatch_uid="integrations-refund")
        signals.subscription_ended.connect(receivers.subscription_ended, dispatch_uid="integrations-subscription")
        signals.milestone_reached.connect(receivers.milestone_reached, dispatch_uid="integrations-milestone")
        signals.periods_closed.connect(receivers.periods_closed, dispatch_uid="integrations-periods")
