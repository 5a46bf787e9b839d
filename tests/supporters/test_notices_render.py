"""Each e-mail to a supporter as it is sent, whole: subject and plain text (the HTML's title is the subject), the
right amounts (what was paid, the gift, the fees covered, the refund), the date in the campaign's time zone, the
reference, the dedication, and a manage link signed for the notice's own address at the campaign's organisation."""

import datetime
import re

from fundraising.supporters import links, notices
from fundraising.supporters.models import Notice
from tests.factories import DonationFactory

# 23:30 UTC on 14 March is already the 15th in Paris.
PAID = datetime.datetime(2026, 3, 14, 23, 30, tzinfo=datetime.UTC)
TOKEN = re.compile(r"/manage/([^/\s]+)/")
FOOTER = "-- \nYou receive this e-mail because you gave to Alice's club. Nothing to do if this was you.\n\n"


def gift(campaign, **fields):
    fields = {"amount": 2600, "fee_cover": 100, "kind": "monthly", "paid_at": PAID, "public_name": " Hedy ",
              "donor_email": "ada@example.com", "stripe_invoice_id": "in_1", "stripe_payment_intent_id": "pi_1",
              **fields}  # fmt: skip
    return DonationFactory(campaign=campaign, **fields)


def rendered(campaign, kind, *, donation=None, amount=0, year=None, email="ada@example.com"):
    """(subject, text with the manage token replaced by TOKEN) after checking the token and the HTML's title."""
    notice = Notice.objects.create(key=f"t:{kind}", kind=kind, campaign=campaign, donation=donation, email=email,
                                   amount=amount, year=year)  # fmt: skip
    subject, text, html = notices.notice_render(notice)
    for token in TOKEN.findall(text):
        assert links.manage_token_read(token, organization_id=campaign.organization_id) == email
    assert f"<title>{subject}</title>" in html.replace("&#x27;", "'")
    return subject, TOKEN.sub("/manage/TOKEN/", text)


def paris(campaign):
    campaign.time_zone = "Europe/Paris"
    campaign.save()


def test_a_monthly_receipt_states_what_was_paid_the_gift_and_the_fees_covered(campaign):
    paris(campaign)
    subject, text = rendered(campaign, "receipt", donation=gift(campaign, tribute_kind="memory",
                                                                 tribute_name="Ada Lovelace"))  # fmt: skip
    assert subject == "Receipt: 26 $ to Keep the lights on"
    assert text == (
        "Thank you for your gift\n\n"
        "Amount: 26 $ per month\n"
        "Of which your gift: 25 $\n"
        "Of which card fees covered: 1 $\n"
        "Date: March 15, 2026\n"
        "To: Alice's club · Keep the lights on\n"
        "Reference: in_1\n"
        "In memory of Ada Lovelace\n"
        "Next payment: April 15, 2026\n\n"
        "Manage your monthly gift:\n"
        "http://127.0.0.1:8000/c/lights/manage/TOKEN/\n\n"
        "Change the amount, update your card or stop, without an account. The link works for two weeks; you can "
        "ask for a new one at any time:\n"
        "http://127.0.0.1:8000/c/lights/manage/\n\n" + FOOTER
    )


def test_a_one_time_receipt_has_no_fee_lines_no_next_payment_and_no_manage_link(campaign):
    donation = gift(campaign, kind="one_time", fee_cover=0, amount=2500, stripe_invoice_id="")
    subject, text = rendered(campaign, "receipt", donation=donation)
    assert subject == "Receipt: 25 $ to Keep the lights on"
    assert text == (
        "Thank you for your gift\n\n"
        "Amount: 25 $\n"
        "Date: March 14, 2026\n"
        "To: Alice's club · Keep the lights on\n"
        "Reference: pi_1\n\n" + FOOTER
    )


def test_a_yearly_receipt_says_per_year_and_renews_a_year_later(campaign):
    subject, text = rendered(campaign, "receipt", donation=gift(campaign, kind="yearly", fee_cover=0))
    assert "Amount: 26 $ per year\nDate: March 14, 2026\n" in text
    assert "Next payment: March 14, 2027\n\nManage your yearly gift:\n" in text
    assert "per month" not in text and "monthly" not in text


def test_a_receipt_without_stripe_ids_gives_the_gifts_own_reference(campaign):
    donation = gift(campaign, stripe_invoice_id="", stripe_payment_intent_id="")
    _, text = rendered(campaign, "receipt", donation=donation)
    assert f"Reference: {donation.pk}\n" in text


def test_a_refund_notice_states_the_refund_and_the_gift(campaign):
    subject, text = rendered(campaign, "refund", donation=gift(campaign), amount=700)
    assert subject == "Refund: 7 $ from Keep the lights on"
    assert text == (
        "Your gift was refunded\n\n"
        "7 $ of your gift of 26 $ on March 14, 2026 has been refunded to your card.\n"
        "Reference: in_1\n\n"
        "Manage your gifts: http://127.0.0.1:8000/c/lights/manage/\n\n" + FOOTER
    )


def test_a_failed_renewal_asks_for_the_card_with_a_link(campaign):
    subject, text = rendered(campaign, "renewal_failed", donation=gift(campaign))
    assert subject == "Your monthly gift to Keep the lights on could not be charged"
    assert text == (
        "Your monthly gift could not be charged\n\n"
        "Your bank declined this month's payment for your gift to Keep the lights on. Stripe will try again in a "
        "few days; to keep your gift going, please update your card.\n\n"
        "Update your card:\n"
        "http://127.0.0.1:8000/c/lights/manage/TOKEN/\n\n"
        "The link works for two weeks; you can ask for a new one at any time:\n"
        "http://127.0.0.1:8000/c/lights/manage/\n\n" + FOOTER
    )


def test_a_failed_yearly_renewal_says_yearly_and_one_without_a_known_gift_monthly(campaign):
    subject, text = rendered(campaign, "renewal_failed", donation=gift(campaign, kind="yearly"))
    assert subject == "Your yearly gift to Keep the lights on could not be charged"
    assert text.startswith("Your yearly gift could not be charged\n\nYour bank declined this year's payment")
    Notice.objects.all().delete()
    subject, text = rendered(campaign, "renewal_failed")
    assert subject == "Your monthly gift to Keep the lights on could not be charged"
    assert "Update your card:\nhttp://127.0.0.1:8000/c/lights/manage/TOKEN/\n" in text


def test_a_dedication_notice_names_the_donor_and_the_gift_without_the_fees(campaign):
    paris(campaign)
    donation = gift(campaign, tribute_kind="honour", tribute_name="Grace Hopper", tribute_notify_email="g@example.org")
    subject, text = rendered(campaign, "tribute", donation=donation, amount=2600, email="g@example.org")
    assert subject == "A gift to Keep the lights on: In honour of Grace Hopper"
    assert text == (
        "In honour of Grace Hopper\n\n"
        "Hedy made a gift of 25 $ to Keep the lights on and dedicated it as above.\n"
        "Date: March 15, 2026\n\n"
        "http://127.0.0.1:8000/c/lights/\n\n"
        "-- \nYou receive this one e-mail because the donor gave your address with a gift to Alice's club. You will "
        "not receive any other.\n\n"
    )


def test_a_dedication_notice_leaves_out_the_amount_the_donor_kept_and_an_anonymous_name(campaign):
    donation = gift(campaign, anonymous=True, tribute_kind="memory", tribute_name="Ada Lovelace",
                    tribute_notify_email="g@example.org")  # fmt: skip
    subject, text = rendered(campaign, "tribute", donation=donation, amount=0, email="g@example.org")
    assert subject == "A gift to Keep the lights on: In memory of Ada Lovelace"
    assert text.startswith(
        "In memory of Ada Lovelace\n\nSomeone made a gift to Keep the lights on and dedicated it as above.\n"
        "Date: March 14, 2026\n"
    )


def test_a_yearly_statement_lists_the_years_gifts_with_a_signed_link(campaign):
    gift(campaign, fee_cover=0)
    subject, text = rendered(campaign, "statement", year=2026)
    assert subject == "Your 2026 gifts to Alice's club"
    assert text == (
        "Your gifts in 2026\n\n"
        "Mar 14, 2026  Keep the lights on  26 $\n"
        "Total: 26 $\n\n"
        "Printable statement:\n"
        "http://127.0.0.1:8000/c/lights/manage/TOKEN/statement/2026/\n\n" + FOOTER
    )


def test_a_manage_link_is_signed_for_its_address(campaign):
    subject, text = rendered(campaign, "manage_link", email="grace@example.com")
    assert subject == "Manage your gifts to Alice's club"
    assert text == (
        "Manage your gifts\n\n"
        "Someone, hopefully you, asked for a link to manage your gifts to Alice's club.\n\n"
        "http://127.0.0.1:8000/c/lights/manage/TOKEN/\n\n"
        "The link works for two weeks. If you did not ask for it, ignore this e-mail.\n\n" + FOOTER
    )


def test_a_receipts_dates_are_in_the_campaigns_language_and_time_zone(campaign):
    paris(campaign)
    campaign.locale = "fr_FR"
    campaign.save()
    _, text = rendered(campaign, "receipt", donation=gift(campaign), amount=2600)
    assert "Date: 15 mars 2026\n" in text and "Prochain paiement: 15 avril 2026\n" in text
