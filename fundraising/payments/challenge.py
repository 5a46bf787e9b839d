"""The donation form's proof-of-work challenge (ALTCHA, self-hosted): made per request, solved once.

A browser pays for a solution with CPU (key derivations, in Web Workers) before it may open a Checkout Session;
a bot pays the same for every attempt. Nothing here calls out: the challenge and its check are HMACs with our key.
"""

import hashlib
import logging
import secrets
import time

import altcha
from django.conf import settings
from django.core.cache import cache
from django.utils.translation import gettext_lazy

log = logging.getLogger(__name__)

# PBKDF2 runs in the browser through Web Crypto; each try costs ALGORITHM_COST HMAC-SHA-256 rounds.
ALGORITHM = "PBKDF2/SHA-256"
ALGORITHM_COST = 1000
PAYLOAD_MAX = 4000  # characters: a real payload is about 600


class ChallengeRefused(Exception):
    """The form's challenge was missing, forged, expired or already used; str() is what the visitor reads."""


MISSING = gettext_lazy(
    "Please wait for the check “I’m not a robot” to finish (it needs JavaScript), then send the form again."
)
EXPIRED = gettext_lazy("The check “I’m not a robot” expired. Please let it run again, then send the form again.")
USED = gettext_lazy("This check “I’m not a robot” was already used. Please let it run again, then send the form again.")
INVALID = gettext_lazy("The check “I’m not a robot” did not verify. Please let it run again, then send the form again.")


def hmac_keys():
    """(challenge key, derived-key key): ALTCHA_HMAC_KEY, or two keys derived from SECRET_KEY."""
    base = settings.ALTCHA_HMAC_KEY or hashlib.sha256(f"altcha:{settings.SECRET_KEY}".encode()).hexdigest()
    return base, hashlib.sha256(f"altcha-key:{base}".encode()).hexdigest()


def challenge_create(*, difficulty):
    """A signed challenge (the JSON the widget reads): the browser must find a counter drawn here from the upper
    half of `difficulty`, so no challenge is cheap. Verifying its solution later is one HMAC (key signature)."""
    counter = difficulty // 2 + secrets.randbelow(difficulty - difficulty // 2)
    key, derived_key_key = hmac_keys()
    made = altcha.create_challenge(
        algorithm=ALGORITHM,
        cost=ALGORITHM_COST,
        counter=counter,
        expires_at=int(time.time()) + settings.ALTCHA_EXPIRES,
        hmac_secret=key,
        hmac_key_secret=derived_key_key,
    )
    return made.to_dict()


def challenge_verify(*, payload):
    """Accept a solved challenge once, or raise ChallengeRefused with the reason the visitor reads."""
    if not payload:
        raise ChallengeRefused(MISSING)
    if len(payload) > PAYLOAD_MAX:
        raise ChallengeRefused(INVALID)
    key, derived_key_key = hmac_keys()
    result = altcha.verify_solution(payload, key, hmac_key_secret=derived_key_key)
    if result.expired:
        raise ChallengeRefused(EXPIRED)
    if not result.verified:
        raise ChallengeRefused(INVALID)
    parsed = altcha.Payload.from_base64(payload)
    if not parsed.challenge.parameters.key_signature:  # only our own (key-signed) challenges: verified in one HMAC
        raise ChallengeRefused(INVALID)
    solution_spend(signature=parsed.challenge.signature, expires_at=parsed.challenge.parameters.expires_at)


def solution_spend(*, signature, expires_at):
    """Remember a used challenge until it expires, so a solution opens one session. With the cache down the
    challenge still had to be solved and expires; the replay check is what degrades (logged)."""
    timeout = max(1, int(expires_at or 0) - int(time.time()) + 1)
    try:
        first = cache.add(f"altcha-used:{signature}", 1, timeout=timeout)
    except Exception as exc:  # noqa: BLE001 -- any cache failure (Redis down) must not stop donations
        log.warning("challenge replay check skipped, cache unavailable: %s", exc)
        return
    if not first:
        raise ChallengeRefused(USED)
