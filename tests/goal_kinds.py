"""One campaign of each goal kind (amount, monthly supporters, monthly recurring total) with its gifts and the
figure its bar shows; the widget and dashboard tests draw these pictures."""


def gift(amount, kind, email, subscription=""):
    """The DonationFactory fields of one gift of these pictures."""
    return {"amount": amount, "kind": kind, "donor_email": email, "stripe_subscription_id": subscription}


def monthly_supporters(count):
    return [gift(1000, "monthly", f"m{i}@x.org", f"sub_{i}") for i in range(count)]


# kind: (target, gifts, expected current value)
SETUPS = {
    "amount": (500000, [gift(5000, "one_time", "a@x.org"), gift(3000, "monthly", "b@x.org", "sub_b")], 8000),
    "supporters": (50, monthly_supporters(37) + [gift(9000, "one_time", "o@x.org")], 37),
    "recurring": (
        200000,
        [gift(50000, "monthly", "a@x.org", "sub_a"), gift(70000, "monthly", "b@x.org", "sub_b"),
         gift(5000, "one_time", "")],
        120000,
    ),
}
