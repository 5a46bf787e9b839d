"""A payment whose metadata names a gift that already stands for another payment (a supporter who paid
twice from one donation form) is a gift of its own: it never takes over the first gift, in any order."""

from fundraising.ledger.models import Donation
from tests.stripe_standin import events, objects


def test_a_second_payment_naming_a_paid_gift_is_a_gift_of_its_own(client, campaign):
    ids = {}

    def steps():
        pending = Donation.objects.create(campaign=campaign, amount=1000, currency="usd", public_name="Ada")
        ids.update(first_pi=events.sid("pi"), second_pi=events.sid("pi"), pending=pending.pk)
        first = events.checkout_session(amount=1000, donation=pending.pk, payment_intent=ids["first_pi"])
        ids["first_session"] = first["id"]
        events.post_event(client, events.event("checkout.session.completed", first))
        second = events.checkout_session(amount=2500, donation=pending.pk, payment_intent=ids["second_pi"])
        ids["second_session"] = second["id"]
        metadata = {"fundraising_campaign": "lights", "fundraising_donation": str(pending.pk)}
        intent = objects.stripe_object("payment_intent", id=ids["second_pi"], amount_received=2500, currency="usd",
                                       metadata=metadata)  # fmt: skip
        return [
            objects.at(objects.BASIL, "payment_intent.succeeded", intent),
            objects.at(objects.BASIL, "checkout.session.completed", second),
        ]

    results = events.deliver_in_orders(client, steps)
    assert len(set(map(repr, results.values()))) == 1, results
    rows, periods = next(iter(results.values()))
    assert [row[:3] for row in rows] == [(1000, "one_time", "succeeded"), (2500, "one_time", "succeeded")]
    assert periods == [(3500, 1)]  # one supporter (one e-mail), two gifts
    first = Donation.objects.get(pk=ids["pending"])
    assert (first.amount, first.stripe_payment_intent_id, first.stripe_checkout_session_id) == (
        1000, ids["first_pi"], ids["first_session"])  # fmt: skip
    second = Donation.objects.exclude(pk=first.pk).get()
    assert (second.stripe_payment_intent_id, second.stripe_checkout_session_id) == (ids["second_pi"],
                                                                                    ids["second_session"])  # fmt: skip
