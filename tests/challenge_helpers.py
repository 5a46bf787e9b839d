"""The donation form's challenge, solved the way a browser does: fetched from the page's URL, solved with the
altcha library, and sent back through the real verification (no test switch in the code)."""

import altcha


def challenge_payload(document):
    """The form field `altcha` for a challenge as /c/<slug>/challenge/ answers it (JSON, decoded), solved."""
    challenge = altcha.Challenge.from_dict(document)
    solution = altcha.solve_challenge(challenge, timeout=30)
    assert solution is not None, "the challenge was not solved in 30 s"
    return altcha.Payload(challenge, solution).to_base64()


def challenge_solved(client, slug, **extra):
    """A payload for one POST of /c/<slug>/ (the form field `altcha`); each call solves a fresh challenge."""
    response = client.get(f"/c/{slug}/challenge/", **extra)
    assert response.status_code == 200, response.status_code
    return challenge_payload(response.json())


def with_challenge(client, slug, data, **extra):
    """The form's data plus a solved challenge, for tests that POST the donation form."""
    return {**data, "altcha": challenge_solved(client, slug, **extra)}


def donate_post(client, url, data, **extra):
    """POST the donation form at `url` (/c/<slug>/) as a browser does once its widget has solved the challenge."""
    slug = url.strip("/").split("/")[1]
    return client.post(url, with_challenge(client, slug, data, **extra), **extra)
