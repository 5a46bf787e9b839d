"""The "Dedicate this gift" group: every bad input gets a clear message tied to its field, nothing reaches
Stripe, and a name cannot carry characters that would disguise the text around it."""

import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import stripe_api
from fundraising.payments.forms import DonationForm, tribute_name_clean
from tests.challenge_helpers import challenge_solved, donate_post

BASE = {"preset": "2500", "kind": "one_time", "tribute_kind": "honour"}  # a browser sends the checked radio


@pytest.fixture
def no_stripe_calls(settings, monkeypatch):
    settings.STRIPE_SECRET_KEY = "sk_test_tribute_form"

    def refuse(**kwargs):
        raise AssertionError("Stripe must not be called for an invalid form")

    monkeypatch.setattr(stripe_api, "checkout_session_create", refuse)


@pytest.mark.parametrize(
    ("fields", "field", "message"),
    [
        ({"tribute_notify_email": "grace@example.org"}, "tribute_name", "Enter the name of the person"),
        ({"tribute_on_wall": "on"}, "tribute_name", "Enter the name of the person"),
        ({"tribute_notify_amount": "on"}, "tribute_name", "Enter the name of the person"),
        ({"tribute_name": "Ada", "tribute_notify_email": "not an address"}, "tribute_notify_email",
         "Enter a valid email address."),
        ({"tribute_name": "Ada", "tribute_notify_email": "a@x.org, b@y.org"}, "tribute_notify_email",
         "Enter a valid email address."),
        ({"tribute_name": "Ada", "tribute_notify_amount": "on"}, "tribute_notify_amount",
         "Enter an address to e-mail, or untick including the amount."),
        ({"tribute_name": "Ada", "tribute_kind": "cousin"}, "tribute_kind", "Select a valid choice."),
        ({"tribute_name": "Ada", "tribute_kind": ""}, "tribute_kind", "Choose in honour of or in memory of."),
        ({"tribute_name": "\u200b\u202e\u2066"}, "tribute_name", "Enter a name with letters we can show."),
        ({"tribute_name": "A" * 101}, "tribute_name", "at most 100 characters"),
        ({"tribute_name": "Ada", "tribute_notify_email": "a" * 250 + "@x.org"}, "tribute_notify_email",
         "at most 254 characters"),
    ],
)  # fmt: skip
def test_it_refuses_bad_dedications_with_the_fields_message(client, campaign, no_stripe_calls, fields, field, message):
    response = donate_post(client, "/c/lights/", {**BASE, **fields})
    assert response.status_code == 400
    form = response.context["form"]
    assert any(message in error for error in form.errors[field]), form.errors
    html = response.content.decode()
    # In the error summary, linked to the field, and beside the field; the group is open to show it.
    assert f'href="#id_{field}' in html
    assert '<details class="fr-tribute" id="tribute" open>' in html
    assert not Donation.objects.exists()


def test_the_group_is_closed_on_a_fresh_page_and_says_monthly_gifts_keep_it_on_the_first_payment(client, campaign):
    html = client.get("/c/lights/").content.decode()
    assert '<details class="fr-tribute" id="tribute">' in html
    assert "<legend>In honour or in memory of someone</legend>" in html
    assert "For a monthly gift, the dedication goes with the first payment only." in html
    assert 'id="id_tribute_on_wall">' in html and 'id="id_tribute_notify_amount">' in html  # both unticked


def test_without_a_name_there_is_no_dedication(client, campaign):
    form = DonationForm({**BASE, "tribute_kind": "memory", "altcha": challenge_solved(client, "lights")},
                        campaign=campaign)  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tribute"] == {}


def test_a_whole_dedication_is_cleaned(client, campaign):
    form = DonationForm({**BASE, "tribute_kind": "memory", "tribute_name": "  Ada\u202e \u200bLovelace\x07 ",
                         "tribute_on_wall": "on", "tribute_notify_email": " Grace@Example.ORG ",
                         "tribute_notify_amount": "on", "altcha": challenge_solved(client, "lights")},
                        campaign=campaign)  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["tribute"] == {
        "tribute_kind": "memory", "tribute_name": "Ada Lovelace", "tribute_on_wall": True,
        "tribute_notify_email": "grace@example.org", "tribute_notify_amount": True,
    }  # fmt: skip


@pytest.mark.parametrize(
    ("typed", "kept"),
    [
        ("Zoë", "Zoë"),
        ("Zoe\u0308", "Zoë"),  # composed
        ("\u202eevil\u202c name", "evil name"),  # a right-to-left override
        ("a\u2066b\u2069c", "abc"),  # isolates
        ("x\u200b\u200c\u200d\ufeffy", "xy"),  # zero-width
        ("tab\there\nnew\u2028line", "tab here new line"),
        ("محمد", "محمد"),
        ("\x00\x1b[31m", "[31m"),
    ],
)
def test_name_cleaning_keeps_letters_and_drops_hidden_characters(typed, kept):
    assert tribute_name_clean(typed) == kept


@pytest.mark.parametrize(
    ("locale", "words"),
    [("fr_FR", ["Dédier ce don", "En mémoire de", "Son nom"]),
     ("de_DE", ["Diese Spende widmen", "In Erinnerung an", "Name der Person"]),
     ("es_ES", ["Dedicar este donativo", "En memoria de", "Su nombre"])],
)  # fmt: skip
def test_the_group_speaks_the_campaigns_language(client, campaign, locale, words):
    campaign.locale = locale
    campaign.save()
    html = client.get("/c/lights/").content.decode()
    assert all(word in html for word in words), [word for word in words if word not in html]
