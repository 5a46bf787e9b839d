"""factory_boy factories for the domain models."""

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from fundraising.campaigns.models import Campaign, Milestone, Organization
from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation


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
    class Meta:
        model = Campaign

    organization = factory.SubFactory(OrganizationFactory)
    slug = factory.Sequence(lambda n: f"campaign-{n}")
    title = "Keep the lights on"
    currency = "usd"
    locale = "en_US"
    amount_pattern = "#,##0 ¤"
    time_zone = "UTC"
    monthly_target = 500000
    preset_amounts = [500, 1000, 2500]


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
