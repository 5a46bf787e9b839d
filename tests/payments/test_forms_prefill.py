"""The donation page fills in the choice a widget link carries (?amount=2500&kind=monthly) and ignores
a value it could not accept: the plain form, never an error page."""

import re

import pytest

from tests.challenge_helpers import donate_post
from tests.factories import CampaignFactory


def checked(page, name):
    return re.findall(rf'<input type="radio" name="{name}" value="([^"]+)" id="[^"]+" checked>', page)


def custom(page):
    return re.search(r'name="custom_amount" id="id_custom_amount"\s+value="([^"]*)"', page).group(1)


@pytest.fixture
def lights(db, widget_root):
    return CampaignFactory(slug="lights", preset_amounts=[500, 1000, 2500], min_amount=300)


def test_it_fills_in_a_preset_and_the_frequency(client, lights):
    page = client.get("/c/lights/?amount=2500&kind=monthly").content.decode()
    assert checked(page, "preset") == ["2500"] and checked(page, "kind") == ["monthly"] and custom(page) == ""


def test_it_types_another_amount_in_the_campaigns_locale(client, lights):
    page = client.get("/c/lights/?amount=1234").content.decode()
    assert checked(page, "preset") == ["custom"] and custom(page) == "12.34"
    assert checked(page, "kind") == ["one_time"]
    lights.locale = "fr_FR"
    lights.save()
    assert custom(client.get("/c/lights/?amount=4000").content.decode()) == "40"
    assert custom(client.get("/c/lights/?amount=4050").content.decode()) == "40,50"


@pytest.mark.parametrize(
    "query",
    ["amount=abc&kind=weekly", "amount=-2500", "amount=0", "amount=99999999999999999999", "amount=100",
     "amount=2500.5", "amount=%00", "kind=<script>", "amount=", "amount=1e5", "amount=٢٥٠٠"],
)
def test_it_ignores_what_it_cannot_accept(client, lights, query):
    response = client.get(f"/c/lights/?{query}")
    page = response.content.decode()
    assert response.status_code == 200
    assert checked(page, "preset") == [] and custom(page) == "" and checked(page, "kind") == ["one_time"]
    assert "<script>" not in page.split("<article")[1].split("<script>")[0]


def test_it_validates_a_prefilled_amount_like_a_typed_one(client, lights, settings):
    settings.STRIPE_SECRET_KEY = ""
    page = client.get("/c/lights/?amount=1234&kind=monthly").content.decode()
    response = donate_post(client, "/c/lights/", {"preset": "custom", "custom_amount": custom(page), "kind": "monthly"})
    assert response.status_code == 503  # valid: only Stripe is missing


def test_it_fills_in_exactly_the_smallest_and_the_largest_gift(client, lights):
    lights.max_amount = 5000
    lights.save()
    for amount, typed in [(300, "3"), (5000, "50")]:
        page = client.get(f"/c/lights/?amount={amount}").content.decode()
        assert checked(page, "preset") == ["custom"] and custom(page) == typed, amount
    assert custom(client.get("/c/lights/?amount=5001").content.decode()) == ""
