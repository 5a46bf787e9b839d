"""factory_boy factories for the domain models: the one way tests make users, organisations and campaigns."""

import factory
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from fundraising.campaigns.models import Campaign, Milestone, Organization
from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import ledger_changed


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.org")
    password = factory.django.Password("password")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Organisation {n}")


class CampaignFactory(factory.django.DjangoModelFactory):
    """A campaign; `gifts=[...]` adds paid gifts this month through gift_add (and refreshes its widgets)."""

    class Meta:
        model = Campaign
        skip_postgeneration_save = True

    organization = factory.SubFactory(OrganizationFactory)
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = "Keep the lights on"
    currency = "usd"
    locale = "en_US"
    amount_pattern = "#,##0 ¤"
    time_zone = "UTC"
    monthly_target = 500000
    preset_amounts = [500, 1000, 2500]

    @factory.post_generation
    def gifts(campaign, create, given, **kwargs):
        if given is not None:
            gift_add(campaign=campaign, gifts=given)


class MilestoneFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Milestone

    campaign = factory.SubFactory(CampaignFactory)
    amount = 250000
    label = "Halfway"


class DonationFactory(factory.django.DjangoModelFactory):
    """A paid gift in the campaign's current period unless told otherwise."""

    class Meta:
        model = Donation

    campaign = factory.SubFactory(CampaignFactory)
    amount = 1000
    currency = factory.LazyAttribute(lambda d: d.campaign.currency)
    status = Donation.Status.SUCCEEDED
    paid_at = factory.LazyFunction(timezone.now)
    donor_email = factory.Sequence(lambda n: f"donor{n}@example.com")
    period = factory.LazyAttribute(lambda d: period_for(campaign=d.campaign, when=d.paid_at) if d.paid_at else None)

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        # Through the ledger's own write, so the period's running figures follow (as in production).
        from fundraising.ledger.services import donation_store

        return donation_store(donation=model_class(*args, **kwargs))


def gift_add(*, campaign, gifts, period=None):
    """Paid gifts (amounts, or dicts of DonationFactory fields) written the way the pipeline writes them:
    ledger change, then the period's refresh, widgets included, on commit (with no gift, just the refresh)."""
    period = period or period_for(campaign=campaign)
    with transaction.atomic():
        for gift in gifts:
            DonationFactory(campaign=campaign, period=period, **(gift if isinstance(gift, dict) else {"amount": gift}))
        ledger_changed(period_id=period.pk)


class SeedCampaignFactory(CampaignFactory):
    """The seed's picture for widget tests: "lights", 5,000 $ a month, "Servers paid" at 2,500 $, and gifts of
    50, 30 and 20 $ this month (`gifts=` replaces them), widgets refreshed."""

    slug = "lights"
    milestone = factory.RelatedFactory(MilestoneFactory, "campaign", amount=250000, label="Servers paid")

    @factory.post_generation
    def gifts(campaign, create, given, **kwargs):  # after the milestone, so the month carries it
        gift_add(campaign=campaign, gifts=(5000, 3000, 2000) if given is None else given)
