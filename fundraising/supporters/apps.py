from django.apps import AppConfig


class SupportersConfig(AppConfig):
    name = "fundraising.supporters"

    def ready(self):
        from fundraising.ledger.signals import donation_counted, donation_refunded
        from fundraising.payments.signals import renewal_failed

        from . import receivers

        # The layers below announce payments; this one writes to the supporter.
        donation_counted.connect(receivers.donation_counted_receive, dispatch_uid="supporters-receipt")
        donation_refunded.connect(receivers.donation_refunded_receive, dispatch_uid="supporters-refund-notice")
        renewal_failed.connect(receivers.renewal_failed_receive, dispatch_uid="supporters-renewal-failed")
