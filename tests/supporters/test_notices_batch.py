"""A drain's receipts in one go: rendered by locale group, each in its campaign's language (one that fails
to render is left out, not the ones after it), and claimed so that no other process can take them meanwhile
and no other notice is held."""

from django.utils import timezone

from fundraising.supporters.models import Notice
from fundraising.supporters.notices import notice_claim, notices_claim, notices_render
from tests.factories import CampaignFactory, DonationFactory


def receipt(campaign, n, *, gift=True):
    donation = DonationFactory(campaign=campaign, donor_email="ann@example.com", amount=2500) if gift else None
    return Notice.objects.create(key=f"receipt:{campaign.slug}:{n}", kind=Notice.Kind.RECEIPT, campaign=campaign,
                                 email="ann@example.com", donation=donation, amount=2500)  # fmt: skip


def test_every_notice_is_rendered_in_its_campaigns_language_but_one_that_fails(campaign, organization):
    french = CampaignFactory(organization=organization, slug="lumieres", title="Lumières", locale="fr_FR")
    broken = receipt(campaign, 0, gift=False)  # a receipt without its gift cannot render
    notices = [broken, receipt(campaign, 1), receipt(french, 2), receipt(campaign, 3)]
    rendered = notices_render(Notice.objects.filter(pk__in=[n.pk for n in notices]).order_by("key"))
    assert sorted(rendered, key=str) == sorted((n.pk for n in notices[1:]), key=str)
    subjects = {pk: subject for pk, (subject, text, html) in rendered.items()}
    assert subjects[notices[1].pk].startswith("Receipt: 25 $") and subjects[notices[2].pk].startswith("Reçu")
    assert all(text and html for _, text, html in rendered.values())


def test_a_claimed_batch_is_held_by_this_process_only(campaign):
    mine = [receipt(campaign, n) for n in range(2)]
    other = receipt(campaign, 9)
    held = notices_claim(notice_ids=[n.pk for n in mine])
    assert [n.pk for n in held] == [n.pk for n in mine]
    assert all(n.claimed_until > timezone.now() for n in held)
    assert notices_claim(notice_ids=[n.pk for n in mine]) == []  # another process, meanwhile
    assert not notice_claim(notice_id=mine[0].pk)
    assert notice_claim(notice_id=other.pk)  # a notice outside the batch stays free
