"""E-mails name the donor, the campaign and the organisation inside translated sentences: in the HTML part
each name is escaped and isolated in <bdi> (a right-to-left name keeps its direction without reordering the
sentence); the plain-text part stays plain."""

from django.core import mail
from django.utils.html import escape

from fundraising.ledger.models import Donation
from tests.stripe_standin import events

NAME = "مريم <b>"


def test_the_dedication_notice_isolates_the_donors_name(client, campaign):
    donation = Donation.objects.create(campaign=campaign, amount=2500, currency="usd", public_name=NAME,
                                       tribute_kind="memory", tribute_name="Ada Lovelace",
                                       tribute_notify_email="grace@example.org")  # fmt: skip
    completed = events.checkout_session(amount=2500, donation=donation.id)
    events.post_event(client, events.event("checkout.session.completed", completed))
    [notice] = [m for m in mail.outbox if m.to == ["grace@example.org"]]
    html = notice.alternatives[0][0]
    assert "<bdi>مريم &lt;b&gt;</bdi> made a gift to <bdi>Keep the lights on</bdi> and dedicated it as above." in html
    assert f"with a gift to <bdi>{escape(campaign.organization.name)}</bdi>." in html
    assert f"{NAME} made a gift to Keep the lights on and dedicated it as above." in notice.body
    assert "<bdi>" not in notice.body


def test_the_receipts_footer_isolates_the_organisations_name(client, campaign):
    events.post_event(client, events.event("checkout.session.completed", events.checkout_session(amount=2500)))
    [receipt] = mail.outbox
    assert f"you gave to <bdi>{escape(campaign.organization.name)}</bdi>." in receipt.alternatives[0][0]
