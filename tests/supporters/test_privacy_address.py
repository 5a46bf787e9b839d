"""Export and erasure work on one complete address, never on a part of it (address_exact): what counts
as one, at the edges."""

import pytest

from fundraising.supporters.privacy import address_exact


def test_an_address_is_trimmed_and_lower_cased():
    assert address_exact("  Grace@Example.ORG \n") == "grace@example.org"
    assert address_exact("grace@example.org") == "grace@example.org"


def test_the_longest_address_is_254_characters():
    """RFC 5321's limit; Django's validator alone lets up to 320 through."""
    longest = "a" * 242 + "@example.org"
    assert len(longest) == 254
    assert address_exact(longest) == longest
    assert address_exact("a" + longest) == ""


@pytest.mark.parametrize("text", [None, 42, ["grace@example.org"], b"grace@example.org"])
def test_anything_but_text_is_no_address(text):
    assert address_exact(text) == ""


@pytest.mark.parametrize(
    "text",
    ["", "@", "grace@", "example.org", "grace@example.org,ada@example.org", "grace@example.org;ada@example.org",
     "Grace <grace@example.org>", "grace@example.org ada@example.org", "grace@exa\tmple.org",
     "grace@example.org\nada@example.org"],
)  # fmt: skip
def test_a_fragment_or_more_than_one_address_is_no_address(text):
    assert address_exact(text) == ""
