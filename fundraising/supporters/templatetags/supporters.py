"""Formatting for the manage page: money and dates in the campaign's locale and time zone."""

from babel.dates import format_date
from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def format_amount(campaign, amount):
    return campaign.format(int(amount or 0))


@register.filter
def local_day(when, campaign):
    if not when:
        return ""
    return format_date(timezone.localtime(when, campaign.tz).date(), "long", locale=campaign.locale)
