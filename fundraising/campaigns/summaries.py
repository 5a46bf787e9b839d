"""The month-end summary: when a month closes, each campaign's owners get its result by e-mail, in the
organisation's language, once. The PeriodSummary row (one per period) is claimed before sending, so a
retry or a second worker never sends it twice; a failed send gives the claim back so a retry can."""

from babel.numbers import format_percent
from django.conf import settings
from django.core.mail import send_mail
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from fundraising.core import money

from .models import Membership, Period, PeriodSummary


def owner_emails(organization):
    return list(
        Membership.objects.filter(organization=organization, role=Membership.Role.OWNER)
        .exclude(user__email="")
        .values_list("user__email", flat=True)
    )


def signed(value, fmt):
    return ("+" if value > 0 else "−" if value < 0 else "±") + fmt(abs(value))


def period_summary_context(period):
    """The figures the e-mail states, formatted: money in the campaign's format, words in the org's language."""
    campaign, language = period.campaign, period.campaign.organization.language
    goal, fmt = period.format_goal, campaign.format
    current = period.goal_current
    previous = Period.objects.filter(campaign=campaign, start__lt=period.start).order_by("-start").first()
    context = {
        "title": campaign.title,
        "month": money.format_month(period.start, language),
        "current": goal(current),
        "target": goal(period.target),
        "percent": format_percent(current / period.target if period.target else 0, locale=language),
        "met": current >= period.target,
        "missing": goal(max(period.target - current, 0)),
        "raised": fmt(period.raised),
        "one_time": fmt(period.one_time_raised),
        "monthly": fmt(period.monthly_raised),
        # Yearly gifts: a line of their own where the campaign offers them or one was paid this month.
        "yearly": fmt(period.yearly_raised) if campaign.yearly_gifts or period.yearly_raised else "",
        "offline": fmt(period.offline_raised),
        "donors": period.donors,
        "monthly_supporters": period.monthly_supporters,
        "new": period.new_monthly,
        "cancelled": period.cancelled_monthly,
        "run_rate": fmt(period.recurring),
        "refunded": fmt(period.refunded),
        "disputed": fmt(period.disputed),
        "previous": None,
        "dashboard_url": settings.SITE_URL + reverse("admin:campaigns_campaign_dashboard", args=[campaign.pk]),
    }
    if previous is not None:
        previous.campaign = campaign
        context["previous"] = {
            "month": money.format_month(previous.start, language),
            "current": previous.format_goal(previous.goal_current),
            "change": signed(current - previous.goal_current, goal) if previous.goal_kind == period.goal_kind else "",
            "run_rate_change": signed(period.recurring - previous.recurring, fmt),
        }
    return context


def period_summary_render(period):
    """(subject, body) in the organisation's language."""
    with translation.override(period.campaign.organization.language):
        context = period_summary_context(period)
        body = render_to_string("fundraising/email/month_summary.txt", context)
        subject = translation.gettext("%(title)s: %(month)s closed at %(percent)s of its goal") % context
    return subject, body


def period_summary_send(*, period_id):
    """E-mail the closed period's summary to the organisation's owners once; True when this call sent it."""
    period = (
        Period.objects.select_related("campaign__organization").filter(pk=period_id, closed_at__isnull=False).first()
    )
    if period is None or not period.campaign.organization.summary_email:
        return False
    try:
        with transaction.atomic():
            summary = PeriodSummary.objects.create(period=period)
    except IntegrityError:  # claimed already: sent, or being sent by another worker
        return False
    recipients = owner_emails(period.campaign.organization)
    try:
        if recipients:
            subject, body = period_summary_render(period)
            send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    except Exception:
        PeriodSummary.objects.filter(pk=summary.pk).delete()  # not sent: give the claim back to the retry
        raise
    PeriodSummary.objects.filter(pk=summary.pk).update(sent_at=timezone.now(), recipients=len(recipients))
    return True
