"""A refresh writes only the widget files whose bytes changed; the cache entry is whole and current either way,
and the formats rendered together are the bytes each renderer makes alone."""

import pytest
from django.core.cache import cache

from fundraising.campaigns.models import Campaign
from fundraising.ledger.models import Donation
from fundraising.ledger.services import period_recompute
from fundraising.widgets import services
from fundraising.widgets.options import WidgetOptions
from fundraising.widgets.render import RENDERERS
from tests.factories import DonationFactory, SeedCampaignFactory

FILES = ("json", "svg", "html", services.WALL_FORMAT)


@pytest.fixture
def lights(db, widget_root):
    campaign = SeedCampaignFactory()
    Campaign.objects.filter(pk=campaign.pk).update(supporters_wall=True)
    gift = DonationFactory(campaign=campaign, public_name="Ada", message="Keep going")
    period_recompute(period_id=gift.period_id)  # the refresh's totals and their date, which the formats show
    services.snapshot_refresh(campaign_id=campaign.pk)
    return campaign


def files(slug):
    """{format: (inode, bytes)}: os.replace gives a rewritten file a new inode."""
    paths = {fmt: services.file_path(slug, fmt) for fmt in FILES}
    return {fmt: (path.stat().st_ino, path.read_bytes()) for fmt, path in paths.items()}


def cached(slug):
    return {fmt: body for fmt, (body, _) in cache.get(services.entry_key(slug))["renditions"].items()}


def test_a_refresh_that_changes_nothing_rewrites_no_file(lights):
    before = files(lights.slug)
    cache.clear()
    services.snapshot_refresh(campaign_id=lights.pk)  # the same stored totals: the same bytes
    assert files(lights.slug) == before
    assert cached(lights.slug) == {fmt: body for fmt, (_, body) in before.items()}


def test_only_the_changed_format_is_rewritten_and_the_cache_has_every_one(lights):
    before = files(lights.slug)
    Donation.objects.filter(campaign=lights, message="Keep going").update(message_hidden=True)
    services.snapshot_refresh(campaign_id=lights.pk)  # the wall changed; the totals and their date did not
    after = files(lights.slug)
    assert after[services.WALL_FORMAT][0] != before[services.WALL_FORMAT][0]
    assert b"Keep going" in before[services.WALL_FORMAT][1] and b"Keep going" not in after[services.WALL_FORMAT][1]
    assert {fmt: after[fmt] for fmt in ("json", "svg", "html")} == {fmt: before[fmt] for fmt in ("json", "svg", "html")}
    assert cached(lights.slug) == {fmt: body for fmt, (_, body) in after.items()}


def test_a_file_changed_behind_the_refresh_is_written_again(lights):
    path = services.file_path(lights.slug, "svg")
    path.write_bytes(b"<svg>stale</svg>")
    services.snapshot_refresh(campaign_id=lights.pk)
    assert path.read_bytes() == cached(lights.slug)["svg"]


@pytest.mark.parametrize("locale", ["en_US", "fr_FR", "de_DE"])
def test_the_formats_rendered_together_are_each_renderers_bytes(lights, locale):
    Campaign.objects.filter(pk=lights.pk).update(locale=locale)
    entry = services.snapshot_refresh(campaign_id=lights.pk)
    for fmt in ("json", "svg", "html"):
        assert entry["renditions"][fmt][0] == RENDERERS[fmt](entry["snapshot"], WidgetOptions()), fmt
