"""Donor text in the CSV export never runs as a spreadsheet formula, whatever character starts it."""

import csv
import io

import pytest

from tests.factories import DonationFactory

# Every character a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULAS = ["=HYPERLINK(\"http://evil\")", "+1+cmd|' /C calc'!A0", "-2+3", "@SUM(1+1)", "\tTAB=1", "\r=1"]


@pytest.mark.parametrize("text", FORMULAS)
def test_it_neutralises_every_formula_start(client, alice, campaign, text):
    DonationFactory(campaign=campaign, public_name=text, message=text, donor_email="ada@example.com")
    client.force_login(alice)
    body = b"".join(client.get("/admin/ledger/donation/export.csv").streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(body, newline="")))
    assert len(rows) == 1
    assert rows[0]["public_name"] == "'" + text
    assert rows[0]["message"] == "'" + text
    assert rows[0]["donor_email"] == "ada@example.com"  # harmless text is left as it is


def test_it_leaves_numbers_and_plain_text_alone(client, alice, campaign):
    DonationFactory(campaign=campaign, amount=1234, public_name="Ada = friend", message="")
    client.force_login(alice)
    body = b"".join(client.get("/admin/ledger/donation/export.csv").streaming_content).decode()
    [row] = list(csv.DictReader(io.StringIO(body, newline="")))
    assert (row["amount"], row["public_name"], row["message"]) == ("1234", "Ada = friend", "")
