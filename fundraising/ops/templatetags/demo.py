"""What only the demo shows: the admin's link to the demo's mailbox (DEBUG only)."""

from django import template
from django.conf import settings

register = template.Library()


@register.simple_tag
def demo_on():
    """Whether this is a demo (DEBUG): the mailbox page answers only then."""
    return bool(settings.DEBUG)
