"""E-mails to supporters: receipts, refund notices, failed renewals, yearly statements and manage links; and
the one notice to the person a donor named in a dedication (tribute).

A Notice row is created once per thing to say (its unique key), then a task renders it in the campaign's
language (plain text and HTML) and sends it; a failed send is retried and stays visible to the owner."""

import calendar
import datetime
import uuid
from collections import defaultdict

from babel.dates import format_date
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db.models import F
from django.template.loader import get_template
from django.utils import timezone
from django.utils.translation import gettext as _

from fundraising.core import due
from fundraising.core.language import language_override
from fundraising.core.mail import mail_error_describe, mail_error_permanent
from fundraising.ledger.models import Donation
from fundraising.payments.models import SubscriptionState

from . import links, statements
from .models import Notice


def notice_create(*, key, kind, campaign, email, donation=None, amount=0, year=None):
    """The notice for `key`, and whether it is new (only a new one is sent)."""
    return Notice.objects.get_or_create(
        key=key,
        defaults={
            "kind": kind,
            "campaign": campaign,
            "email": links.email_normalise(email),
            "donation": donation,
            "amount": amount,
            "year": year,
        },
    )


def notices_create(specs):
    """notice_create for many (a drain's receipts) in two queries: one INSERT that skips every notice whose key
    (or receipt) exists already, then which of the ids drawn here were inserted. `specs` are notice_create's
    keyword arguments; returns the new notices' ids, in their order."""
    rows = [
        Notice(
            id=uuid.uuid4(),
            key=spec["key"],
            kind=spec["kind"],
            campaign=spec["campaign"],
            email=links.email_normalise(spec["email"]),
            donation=spec.get("donation"),
            amount=spec.get("amount", 0),
            year=spec.get("year"),
        )
        for spec in specs
    ]
    if not rows:
        return []
    Notice.objects.bulk_create(rows, ignore_conflicts=True)
    new = set(Notice.objects.filter(pk__in=[row.pk for row in rows]).values_list("pk", flat=True))
    return [row.pk for row in rows if row.pk in new]


def month_later(day):
    """The same day next month, or that month's last day (31 Jan -> 28/29 Feb)."""
    year, month = (day.year + 1, 1) if day.month == 12 else (day.year, day.month + 1)
    return datetime.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def local_date(campaign, when):
    return format_date(timezone.localtime(when, campaign.tz).date(), "long", locale=campaign.locale)


def year_later(day):
    """The same day next year (29 February: the 28th)."""
    return datetime.date(day.year + 1, day.month, min(day.day, calendar.monthrange(day.year + 1, day.month)[1]))


def next_payment_date(donation):
    """When a monthly or yearly gift renews: Stripe's current period end when known, else a month (a year, for
    a yearly gift) after this payment."""
    campaign = donation.campaign
    state = SubscriptionState.objects.filter(subscription_id=donation.stripe_subscription_id or "-").first()
    if state and (state.cancel_at_period_end or state.status == "canceled"):
        return ""
    if donation.subscription_ended_at:
        return ""
    if state and state.current_period_end and state.current_period_end > donation.paid_at:
        return local_date(campaign, state.current_period_end)
    local = timezone.localtime(donation.paid_at, campaign.tz).date()
    later = year_later(local) if donation.kind == "yearly" else month_later(local)
    return format_date(later, "long", locale=campaign.locale)


def donation_reference(donation):
    return donation.stripe_invoice_id or donation.stripe_payment_intent_id or str(donation.pk)


def tribute_text(donation):
    """The dedication ("In memory of Ada Lovelace") in the active language, or "" for a gift without a dedication."""
    if not donation.tribute_name:
        return ""
    if donation.tribute_kind == "memory":
        return _("In memory of %(name)s") % {"name": donation.tribute_name}
    return _("In honour of %(name)s") % {"name": donation.tribute_name}


def tribute_stands(donation):
    """A dedication's notice goes only for a gift that counts and still stands: paid, not fully refunded,
    no open or lost dispute, not reversed (a refund before the notice went stops it)."""
    return (
        donation.paid_at is not None
        and donation.status in (Donation.Status.SUCCEEDED, Donation.Status.PARTIALLY_REFUNDED)
        and not donation.reverses_id
        and not Donation.objects.filter(reverses=donation.pk).exists()
    )


def tribute_sendable(donation):
    """Still to announce: the gift stands and its dedication still names an address (an erasure empties it)."""
    return donation is not None and bool(donation.tribute_notify_email) and tribute_stands(donation)


def _context(notice):
    campaign = notice.campaign
    context = {
        "notice": notice,
        "campaign": campaign,
        "organization": campaign.organization,
        "manage_url": links.manage_url(campaign=campaign, email=notice.email),
        "request_url": f"{settings.SITE_URL}/c/{campaign.slug}/manage/",
    }
    donation = notice.donation
    if donation is not None:
        context.update(
            donation=donation,
            amount=campaign.format(donation.amount),  # what was paid; a card fees cover is shown as part of it
            gift=campaign.format(donation.gift),
            fee_cover=campaign.format(donation.fee_cover) if donation.fee_cover else "",
            date=local_date(campaign, donation.paid_at) if donation.paid_at else "",
            reference=donation_reference(donation),
            monthly=donation.kind == "monthly",
            yearly=donation.kind == "yearly",
            next_payment=next_payment_date(donation)
            if donation.kind in ("monthly", "yearly") and donation.paid_at
            else "",
            tribute=tribute_text(donation),
            donor_name="" if donation.anonymous else donation.public_name.strip(),
            campaign_url=f"{settings.SITE_URL}/c/{campaign.slug}/",
        )
    if notice.kind == Notice.Kind.TRIBUTE and not notice.amount:
        context["amount"] = ""  # the donor did not allow it: the template has nothing to show
    elif notice.kind == Notice.Kind.TRIBUTE and donation is not None:
        context["amount"] = context["gift"]  # the gift made in their name, not the fees the donor covered
    if notice.kind == Notice.Kind.REFUND:
        context["refunded"] = campaign.format(notice.amount)
    if notice.kind == Notice.Kind.STATEMENT:
        context["statement"] = statements.statement_build(
            organization=campaign.organization, email=notice.email, year=notice.year
        )
        token = links.manage_token(organization_id=campaign.organization_id, email=notice.email)
        context["statement_url"] = f"{settings.SITE_URL}/c/{campaign.slug}/manage/{token}/statement/{notice.year}/"
    return context


def _subject(notice, context):
    campaign = notice.campaign
    if notice.kind == Notice.Kind.RECEIPT:
        return _("Receipt: %(amount)s to %(title)s") % {"amount": context["amount"], "title": campaign.title}
    if notice.kind == Notice.Kind.REFUND:
        return _("Refund: %(amount)s from %(title)s") % {"amount": context["refunded"], "title": campaign.title}
    if notice.kind == Notice.Kind.RENEWAL_FAILED:
        if context.get("yearly"):
            return _("Your yearly gift to %(title)s could not be charged") % {"title": campaign.title}
        return _("Your monthly gift to %(title)s could not be charged") % {"title": campaign.title}
    if notice.kind == Notice.Kind.TRIBUTE:
        return _("A gift to %(title)s: %(tribute)s") % {"title": campaign.title, "tribute": context["tribute"]}
    if notice.kind == Notice.Kind.STATEMENT:
        return _("Your %(year)s gifts to %(name)s") % {"year": notice.year, "name": campaign.organization.name}
    return _("Manage your gifts to %(name)s") % {"name": campaign.organization.name}


def notice_render(notice):
    """(subject, plain text, HTML) of a notice, in its campaign's language."""
    with language_override(notice.campaign.locale):
        return _render(notice, {})


def _render(notice, templates):
    """notice_render in the active language; `templates` keeps the compiled templates of a batch by name."""
    context = _context(notice)
    subject = _subject(notice, context)
    context["subject"] = subject
    text, html = (
        _template(templates, f"supporters/email/{notice.kind}.{suffix}").render(context) for suffix in ("txt", "html")
    )
    return subject, text, html


def _template(templates, name):
    if name not in templates:
        templates[name] = get_template(name)
    return templates[name]


def notices_render(notices):
    """notice_render for a batch (a drain's receipts): grouped by their campaign's locale, each group rendered with
    its language switched once and each template looked up once, then filled with each notice's own context (its
    gift, amounts and dates in its campaign's locale). {notice pk: (subject, text, html)}; a notice whose render
    fails is left out: its delivery renders it again, and fails alone."""
    by_locale = defaultdict(list)
    for notice in notices:
        by_locale[notice.campaign.locale].append(notice)
    rendered, templates = {}, {}
    for locale, group in by_locale.items():
        with language_override(locale):
            for notice in group:
                try:
                    rendered[notice.pk] = _render(notice, templates)
                except Exception:  # noqa: S112 - notice_deliver_claimed renders it again and reports the error
                    continue
    return rendered


# How long one process may hold a notice while it renders and sends it (past that, a sweep may try again).
CLAIM_SECONDS = 300


def notice_claim(*, notice_id, now=None):
    """Take the notice for one send: True when no other process holds it and it is still to send."""
    still_to_send = Notice.objects.filter(pk=notice_id, status__in=[Notice.Status.QUEUED, Notice.Status.RETRYING])
    return due.row_claim(still_to_send, seconds=CLAIM_SECONDS, now=now)


# Tries of one notice before it is marked failed for the owners to see (and send again).
NOTICE_MAX_ATTEMPTS = 7


def backoff_seconds(attempts):
    """After the n-th failed try: 30 s, 1 min, 2 min ... capped at an hour."""
    return min(30 * 2 ** max(attempts - 1, 0), 3600)


class NoticeFailed(Exception):
    """One try failed; `attempts` so far, and in how many seconds the next one is due. Its message names
    no address (it reaches the logs through Celery's retry lines)."""

    def __init__(self, error, *, attempts, retry_in):
        super().__init__(mail_error_describe(error))
        self.attempts, self.retry_in = attempts, retry_in


class NoticeRefused(Exception):
    """The mail server refused the message for good (5xx): the notice is failed, never retried."""


def notice_deliver(*, notice_id):
    """Send a notice unless it went already or another process is sending it. A crash between sending and
    recording may send it twice, never zero times. A failed send records the attempt, the error and when
    the next try is due (the sweep queues it then, whoever lost the queued retry), and raises NoticeFailed."""
    if not notice_claim(notice_id=notice_id):
        return None
    return notice_deliver_claimed(Notice.objects.select_related("campaign__organization", "donation").get(pk=notice_id))


def notices_claim(*, notice_ids, now=None):
    """notice_claim for many notices (a drain's receipts) in two queries: the ones this process now holds, loaded
    for notice_deliver_claimed, in their order. The claim's end marks them: of two processes, one holds a row."""
    now = now or timezone.now()
    until = now + datetime.timedelta(seconds=CLAIM_SECONDS)
    still_to_send = Notice.objects.filter(pk__in=notice_ids, status__in=[Notice.Status.QUEUED, Notice.Status.RETRYING])
    still_to_send.filter(due.unclaimed(now)).update(claimed_until=until)
    held = Notice.objects.select_related("campaign__organization", "donation").filter(
        pk__in=notice_ids, claimed_until=until
    )
    by_id = {str(notice.pk): notice for notice in held}
    return [by_id[str(notice_id)] for notice_id in notice_ids if str(notice_id) in by_id]


def notice_release(*, notice_id):
    """Let go of a claimed notice that failed otherwise than at the mail server (its own task tries it again)."""
    Notice.objects.filter(pk=notice_id).update(claimed_until=None)


def notice_deliver_claimed(notice, *, rendered=None, sent=None):
    """notice_deliver for a notice this process holds (notice_claim or notices_claim). `rendered`: its
    (subject, text, html) from notices_render. With a list as `sent`, a sent notice's id is appended to it
    instead of being marked sent here: the batch marks its sent notices together (notices_sent)."""
    if notice.kind == Notice.Kind.TRIBUTE and not tribute_sendable(notice.donation):
        notice_give_up(notice_id=notice.pk, error="Not sent: the gift was refunded, disputed, reversed or erased.")
        return None
    if notice.kind == Notice.Kind.MANAGE_LINK and not address_gave(notice):
        Notice.objects.filter(pk=notice.pk).delete()  # a stranger's address, asked on the public form: no trace
        return None
    subject, text, html = rendered or notice_render(notice)
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [notice.email])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception as exc:
        attempts = notice.attempts + 1  # only the claim's holder writes it
        if mail_error_permanent(exc):  # a 550 is refused again on every retry: the owners see it at once
            notice_give_up(notice_id=notice.pk, error=mail_error_describe(exc), attempts=attempts)
            raise NoticeRefused(mail_error_describe(exc)) from None
        retry_in = backoff_seconds(attempts)
        Notice.objects.filter(pk=notice.pk).update(
            attempts=attempts,
            status=Notice.Status.RETRYING,
            last_error=mail_error_describe(exc),
            claimed_until=None,
            due_at=timezone.now() + datetime.timedelta(seconds=retry_in),
        )
        raise NoticeFailed(exc, attempts=attempts, retry_in=retry_in) from None
    if sent is None:
        notices_sent(notice_ids=[notice.pk])
    else:
        sent.append(notice.pk)
    return notice


def notices_sent(*, notice_ids):
    """Mark notices this process held and sent as sent, in one statement."""
    if notice_ids:
        Notice.objects.filter(pk__in=notice_ids).update(
            attempts=F("attempts") + 1, status=Notice.Status.SENT, sent_at=timezone.now(), last_error="",
            claimed_until=None,
        )  # fmt: skip


def address_gave(notice):
    """Whether the notice's address gave to the campaign's organisation (a manage link is only for them)."""
    organization_id = notice.campaign.organization_id
    return Donation.objects.filter(campaign__organization_id=organization_id, donor_email__iexact=notice.email).exists()


def notices_due(*, now=None, grace=datetime.timedelta(seconds=60), limit=500):
    """Ids of notices still to send whose try is overdue by `grace` (their queued send was lost), oldest first."""
    still_to_send = Notice.objects.filter(status__in=[Notice.Status.QUEUED, Notice.Status.RETRYING])
    return due.rows_overdue(still_to_send, grace=grace, limit=limit, now=now)


def notice_give_up(*, notice_id, error, attempts=None):
    Notice.objects.filter(pk=notice_id).exclude(status=Notice.Status.SENT).update(
        status=Notice.Status.FAILED,
        last_error=str(error)[:2000],
        claimed_until=None,
        attempts=F("attempts") if attempts is None else attempts,
    )


def notice_resend(*, notice_id):
    """An owner asks again: a failed (or sent) notice goes back in the queue."""
    Notice.objects.filter(pk=notice_id).update(
        status=Notice.Status.QUEUED, last_error="", due_at=timezone.now(), claimed_until=None
    )
