def __getattr__(name):
    """`from fundraising.payments import payments`, stripe_api's old name, still gives stripe_api itself (not
    a copy, so patching one patches both), for fundraising/supporters until its rewrite imports stripe_api.
    Delete this function then."""
    if name == "payments":
        from . import stripe_api

        return stripe_api
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
