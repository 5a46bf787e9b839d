"""A mail server's refusal: permanent (5xx, never retried) or passing, described without any address."""

import smtplib

import pytest

from fundraising.core.mail import mail_error_describe, mail_error_permanent


@pytest.mark.parametrize(
    ("error", "permanent"),
    [
        (smtplib.SMTPRecipientsRefused({"a@x.org": (550, b"5.1.1 <a@x.org> unknown")}), True),
        (smtplib.SMTPRecipientsRefused({"a@x.org": (450, b"4.2.1 mailbox busy")}), False),
        (smtplib.SMTPDataError(554, b"5.7.1 message rejected as spam"), True),
        (smtplib.SMTPDataError(451, b"4.3.0 try later"), False),
        (smtplib.SMTPAuthenticationError(535, b"5.7.8 bad credentials"), False),
        (ConnectionRefusedError(111, "Connection refused"), False),
        (TimeoutError("timed out"), False),
    ],
)
def test_it_tells_a_permanent_refusal_from_a_passing_fault(error, permanent):
    assert mail_error_permanent(error) is permanent


def test_it_names_no_address():
    error = smtplib.SMTPRecipientsRefused({"Donor.Name+tag@Example.org": (550, b"5.1.1 <Donor.Name+tag@Example.org>")})
    text = mail_error_describe(error)
    assert text == "SMTPRecipientsRefused: 550 5.1.1 <<address>>"
    assert "@" not in mail_error_describe(smtplib.SMTPSenderRefused(553, b"bad from a@b.c", "a@b.c"))
