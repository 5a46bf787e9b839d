"""Every e-mail in every shipped language: rendered through the real templates and catalogues, with the
amount as the campaign formats it and a working link, in plain text and HTML."""

import datetime

import pytest
from django.utils import timezone

from fundraising.campaigns.services import period_for
from fundraising.supporters import notices
from fundraising.supporters.models import Notice
from tests.factories import CampaignFactory, DonationFactory

LANGUAGES = {
    "en_US": ("Thank you for your gift", "Next payment", "Manage your monthly gift"),
    "fr_FR": ("Merci pour votre don", "Prochain paiement", "Gérer votre don mensuel"),
    "de_DE": ("Vielen Dank für Ihre Spende", "Nächste Zahlung", "Monatliche Spende verwalten"),
    "es_ES": ("Gracias por su donativo", "Próximo pago", "Gestionar su donativo mensual"),
}


@pytest.mark.parametrize("locale", LANGUAGES)
@pytest.mark.parametrize("kind", ["receipt", "refund", "renewal_failed", "statement", "manage_link"])
def test_it_writes_every_email_in_the_campaigns_language(organization, locale, kind):
    campaign = CampaignFactory(organization=organization, slug=f"c-{locale.lower()}", locale=locale,
                               amount_pattern="", currency="eur", time_zone="Europe/Paris")  # fmt: skip
    paid = timezone.now() - datetime.timedelta(days=1)
    refunded = 1000 if kind == "refund" else 0
    donation = DonationFactory(campaign=campaign, amount=123456, kind="monthly", paid_at=paid,
                               period=period_for(campaign=campaign, when=paid), donor_email="d@example.com",
                               stripe_invoice_id="in_test_ref", amount_refunded=refunded)  # fmt: skip
    notice = Notice.objects.create(key=f"t:{kind}", kind=kind, campaign=campaign, donation=donation,
                                   email="d@example.com", amount=1000, year=paid.year)  # fmt: skip
    subject, text, html = notices.notice_render(notice)
    amount = campaign.format(123456)
    link = f"/c/{campaign.slug}/manage/"
    for body in (text, html):
        assert link in body, (kind, locale)
        if kind in ("receipt", "refund", "statement"):
            assert amount in body, (kind, locale, amount)
    if kind == "receipt":
        title, next_label, manage = LANGUAGES[locale]
        assert title in text and next_label in text and manage in html
        assert "in_test_ref" in text
    if kind == "refund":
        assert campaign.format(1000) in subject
    assert "{%" not in text and "{{" not in html
    assert "<script" not in html
