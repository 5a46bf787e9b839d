"""A change Stripe could not make invites a retry; one Stripe refused (a second try gives the same answer)
says so and does not."""

import pytest

from fundraising.payments import stripe_api
from fundraising.supporters.links import manage_url
from tests.supporter_helpers import monthly_gift


@pytest.mark.parametrize(
    ("failure", "shown", "not_shown"),
    [
        (stripe_api.StripeUnavailable("APIConnectionError: timed out"), "please try again", "will not help"),
        (stripe_api.StripeUnavailable("InvalidRequestError: no such subscription", retryable=False),
         "trying again will not help", "please try again"),
    ],
)  # fmt: skip
def test_it_invites_a_retry_only_when_one_may_help(client, campaign, monkeypatch, failure, shown, not_shown):
    subscription_id = monthly_gift(client, campaign, email="mo@example.com")

    def refuse(**kwargs):
        raise failure

    monkeypatch.setattr(stripe_api, "subscription_cancel_now", refuse)
    page = manage_url(campaign=campaign, email="mo@example.com").split("://", 1)[1].split("/", 1)[1]
    response = client.post(f"/{page}gift/{subscription_id}/", {"action": "cancel_now"}, follow=True)
    html = response.content.decode()
    assert shown in html and not_shown not in html and "Nothing was changed" in html


def test_it_reads_stripes_refusals_as_final(monkeypatch, settings):
    import stripe

    settings.STRIPE_SECRET_KEY = "sk_test_refusal"

    def refused(**kwargs):
        raise stripe.InvalidRequestError("No such subscription: 'sub_x'", param="id")

    def unreachable(**kwargs):
        raise stripe.APIConnectionError("timed out")

    with pytest.raises(stripe_api.StripeUnavailable) as refusal:
        stripe_api._call(refused)
    with pytest.raises(stripe_api.StripeUnavailable) as outage:
        stripe_api._call(unreachable)
    assert (refusal.value.retryable, outage.value.retryable) == (False, True)
