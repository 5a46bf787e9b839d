"""The donation form's proof-of-work challenge: a solution opens one Checkout Session; nothing else opens any."""

import base64
import filecmp
import json
import pathlib
import time

import altcha
import pytest

from fundraising.ledger.models import Donation
from fundraising.payments import challenge, stripe_api
from tests.challenge_helpers import challenge_solved

ROOT = pathlib.Path(__file__).resolve().parents[2]
FORM = {"preset": "2500", "kind": "one_time"}


@pytest.fixture
def sessions(settings, monkeypatch):
    """Stripe's API at the one seam: every Checkout Session the app opens."""
    settings.STRIPE_SECRET_KEY = "sk_test_challenge"
    settings.DONATION_RATE_LIMIT = (100_000, 60)  # the challenge alone must hold, not the per-address limit
    made = []

    def create(*, params, idempotency_key):
        made.append(params)
        return {"id": f"cs_test_{len(made)}", "url": f"https://checkout.stripe.test/{len(made)}"}

    monkeypatch.setattr(stripe_api, "checkout_session_create", create)
    return made


def post(client, altcha_payload=None, **data):
    body = {**FORM, **data}
    if altcha_payload is not None:
        body["altcha"] = altcha_payload
    return client.post("/c/lights/", body)


def forged(payload, **parameters):
    """The payload with its challenge's parameters changed (the signature is left as it was)."""
    decoded = json.loads(base64.b64decode(payload))
    decoded["challenge"]["parameters"].update(parameters)
    return base64.b64encode(json.dumps(decoded).encode()).decode()


def test_it_serves_a_signed_expiring_challenge_without_a_cookie(client, campaign, settings):
    settings.ALTCHA_DIFFICULTY = 1000
    response = client.get("/c/lights/challenge/")
    assert response.status_code == 200
    assert not response.cookies
    assert "no-cache" in response["Cache-Control"] and "no-store" in response["Cache-Control"]
    parameters = response.json()["parameters"]
    assert parameters["algorithm"] == "PBKDF2/SHA-256"
    assert 0 < parameters["expiresAt"] - time.time() <= settings.ALTCHA_EXPIRES
    assert parameters["keySignature"] and response.json()["signature"]
    assert client.get("/c/lights/challenge/").json()["parameters"]["nonce"] != parameters["nonce"]


def test_it_draws_the_counter_from_the_upper_half(settings):
    counters = set()
    for _ in range(5):
        made = altcha.Challenge.from_dict(challenge.challenge_create(difficulty=8))
        counters.add(altcha.solve_challenge(made).counter)
    assert counters <= {4, 5, 6, 7}


def test_it_accepts_a_solution_once(client, campaign, sessions):
    payload = challenge_solved(client, "lights")
    first = post(client, payload)
    assert first.status_code == 303 and len(sessions) == 1
    replay = post(client, payload)
    assert replay.status_code == 400
    assert "already used" in replay.content.decode()
    assert len(sessions) == 1 and Donation.objects.count() == 1


def test_it_refuses_a_missing_challenge_with_a_clear_error(client, campaign, sessions):
    response = post(client)
    assert response.status_code == 400
    page = response.content.decode()
    assert "Please wait for the check" in page and 'href="#id_altcha"' in page
    assert sessions == [] and Donation.objects.count() == 0


def test_it_refuses_an_expired_challenge(client, campaign, sessions, settings):
    settings.ALTCHA_EXPIRES = 1
    payload = challenge_solved(client, "lights")
    time.sleep(2.1)
    response = post(client, payload)
    assert response.status_code == 400 and "expired" in response.content.decode()
    assert sessions == []


@pytest.mark.parametrize(
    "change",
    [
        lambda p: forged(p, expiresAt=int(time.time()) + 10**6),  # a longer life
        lambda p: forged(p, keyPrefix="00", keySignature=None),  # an easier puzzle
        lambda p: p[:-8] + "AAAAAAA=",  # a broken payload
        lambda p: "not base64 at all",
        lambda p: "A" * (challenge.PAYLOAD_MAX + 1),
    ],
)
def test_it_refuses_a_forged_payload(client, campaign, sessions, change):
    response = post(client, change(challenge_solved(client, "lights")))
    assert response.status_code == 400 and "did not verify" in response.content.decode()
    assert sessions == []


def test_it_refuses_a_challenge_signed_with_another_key(client, campaign, sessions, settings):
    settings.ALTCHA_HMAC_KEY = "someone-elses-key"
    payload = challenge_solved(client, "lights")
    settings.ALTCHA_HMAC_KEY = ""
    assert post(client, payload).status_code == 400
    assert sessions == []


def test_it_refuses_a_wrong_solution(client, campaign, sessions):
    decoded = json.loads(base64.b64decode(challenge_solved(client, "lights")))
    decoded["solution"]["derivedKey"] = "00" * 32
    response = post(client, base64.b64encode(json.dumps(decoded).encode()).decode())
    assert response.status_code == 400 and sessions == []


def test_it_keeps_the_solution_when_another_field_is_wrong(client, campaign, sessions):
    payload = challenge_solved(client, "lights")
    assert post(client, payload, preset="custom", custom_amount="abc").status_code == 400
    assert post(client, payload).status_code == 303
    assert len(sessions) == 1


@pytest.mark.slow
def test_it_opens_no_session_for_1000_scripted_posts(client, campaign, sessions):
    """A script that does not solve: missing, made up, forged, replayed and expired payloads, 1,000 in all."""
    used = challenge_solved(client, "lights")
    assert post(client, used).status_code == 303
    expired = forged(challenge_solved(client, "lights"), expiresAt=int(time.time()) - 1)
    attempts = [None, "", "x" * 600, forged(used, keyPrefix="0"), used, expired]
    codes = [post(client, attempts[n % len(attempts)]).status_code for n in range(1000)]
    assert set(codes) == {400}
    assert len(sessions) == 1 and Donation.objects.count() == 1


def test_it_still_verifies_with_the_cache_down(client, campaign, sessions, monkeypatch):
    """Redis down: the solution must still be real and fresh; only the replay memory degrades (logged)."""

    class Down:
        def add(self, *args, **kwargs):
            raise ConnectionError("cache down")

    monkeypatch.setattr(challenge, "cache", Down())  # the rate limit's own degrading is core/ratelimit.py's
    assert post(client, challenge_solved(client, "lights")).status_code == 303
    assert post(client, "x" * 600).status_code == 400
    assert len(sessions) == 1


def test_it_serves_the_pinned_widget_from_our_origin(client, campaign):
    page = client.get("/c/lights/").content.decode()
    assert 'src="/static/fundraising/altcha.js"' in page and 'challenge="/c/lights/challenge/"' in page
    assert "<noscript>" in page and "needs JavaScript" in page
    built = ROOT / "node_modules/altcha/dist/main/altcha.i18n.min.js"
    if not built.exists():
        pytest.skip("npm ci has not run: cannot compare the served copy (make altcha)")
    assert filecmp.cmp(built, ROOT / "static/fundraising/altcha.js", shallow=False), "stale copy: run make altcha"
    pinned = json.loads((ROOT / "package.json").read_text())["devDependencies"]["altcha"]
    assert json.loads((ROOT / "node_modules/altcha/package.json").read_text())["version"] == pinned


def test_it_explains_itself_in_the_campaigns_language(client, campaign, sessions):
    campaign.locale = "fr_FR"
    campaign.save()
    page = client.get("/c/lights/").content.decode()
    assert "Ce formulaire a besoin de JavaScript" in page and 'language="fr"' in page
    refused = post(client).content.decode()
    assert "Veuillez attendre la fin de la vérification" in refused


def test_a_widget_link_shows_the_form_and_opens_no_session(client, campaign, sessions):
    page = client.get("/c/lights/?amount=2500&kind=monthly")
    assert page.status_code == 200 and "<altcha-widget" in page.content.decode()
    assert post(client, kind="monthly").status_code == 400
    assert sessions == [] and Donation.objects.count() == 0


def test_the_demo_checkout_needs_a_solution_too(client, campaign, settings):
    settings.DEBUG, settings.STRIPE_DEMO_CHECKOUT, settings.STRIPE_SECRET_KEY = True, True, ""
    assert stripe_api.demo_checkout_active()
    for payload in (None, "x" * 600):
        assert post(client, payload).status_code == 400
    assert Donation.objects.count() == 0
    response = post(client, challenge_solved(client, "lights"))
    assert response.status_code == 303 and "/demo-checkout/cs_" in response["Location"]
