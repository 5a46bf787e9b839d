"""No donation form post and no widget option answers 5xx (property-based, with a small fixed budget)."""

import itertools

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from tests.factories import SeedCampaignFactory

BUDGET = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# Text a browser or a script can send in a form or a query string (no NUL: Django refuses those itself).
field_text = st.text(st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"), max_size=40)
amount_text = field_text | st.sampled_from(["1e309", "NaN", "-0", "0x10", "١٢", "1,000.50", "9" * 29, "∞", " 5 "])
_sessions = itertools.count()


@pytest.fixture
def stripe_seam(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_any_input"
    settings.DONATION_RATE_LIMIT = (10**6, 60)

    def create(*, params, idempotency_key):
        return {"id": f"cs_test_any_{next(_sessions)}", "url": "https://checkout.stripe.com/c/pay/cs_test_any"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)


@BUDGET
@given(
    preset=field_text | st.sampled_from(["500", "1000", "custom", ""]),
    custom_amount=amount_text,
    kind=field_text | st.sampled_from(["one_time", "monthly"]),
    public_name=field_text,
    message=field_text,
    anonymous=field_text,
)
def test_it_never_fails_on_any_donation_form(client, campaign, stripe_seam, **post):
    count = Donation.objects.count()
    response = client.post("/c/lights/", post)
    assert response.status_code in (303, 400), response.content[:500]
    assert Donation.objects.count() == count + (response.status_code == 303)
    if response.status_code == 303:
        donation = Donation.objects.latest("created_at")
        assert donation.amount > 0 and donation.status == Donation.Status.PENDING


@pytest.fixture
def lights_widget(db, widget_root):
    return SeedCampaignFactory()


@BUDGET
@given(
    path=st.sampled_from(["/w/lights.json", "/w/lights.svg", "/w/lights/"]),
    query=st.dictionaries(st.sampled_from(["theme", "accent", "layout", "locale", "other"]), field_text, max_size=4),
)
def test_it_never_fails_on_any_widget_option(client, lights_widget, path, query):
    response = client.get(path, query)
    assert response.status_code in (200, 400), response.content[:500]
