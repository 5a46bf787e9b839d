"""The receipts of one dispatch (a drain's batch) go in one task; a receipt whose send fails continues in its
own retrying notice_send, and the others are sent all the same."""

from unittest import mock

from django.core import mail
from django.test import TestCase
from django.utils import timezone

from fundraising.journal.models import Entry
from fundraising.supporters import tasks
from fundraising.supporters.consumers import receipts_send
from fundraising.supporters.models import Notice
from tests.factories import CampaignFactory, DonationFactory


def entries(campaign, count):
    donations = [DonationFactory(campaign=campaign, donor_email=f"d{n}@example.com") for n in range(count)]
    return [Entry(kind="donation.counted", key=f"donation.counted:{d.pk}", donation_id=d.pk) for d in donations]


def test_the_receipts_of_one_dispatch_go_in_one_task(campaign):
    batch = entries(campaign, 3)
    with mock.patch.object(tasks.notices_send, "delay") as queued, mock.patch.object(tasks.notice_send, "delay") as one:
        receipts_send(batch)
        receipts_send(batch)  # the sweep's second dispatch: the notices exist, nothing is queued again
    notice_ids = sorted(str(pk) for pk in Notice.objects.values_list("pk", flat=True))
    assert len(notice_ids) == 3 and not one.called
    queued.assert_called_once()
    assert sorted(queued.call_args.args[0]) == notice_ids
    tasks.notices_send(notice_ids)
    assert sorted(m.to[0] for m in mail.outbox) == ["d0@example.com", "d1@example.com", "d2@example.com"]
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}


def test_a_failing_send_continues_in_its_own_task(campaign):
    with TestCase.captureOnCommitCallbacks(execute=False), mock.patch.object(tasks.notices_send, "delay"):
        receipts_send(entries(campaign, 3))
    notice_ids = [str(pk) for pk in Notice.objects.order_by("email").values_list("pk", flat=True)]
    real_send = mail.EmailMultiAlternatives.send

    def send_or_fail(message, *args, **kwargs):
        if message.to == ["d1@example.com"]:
            raise ConnectionRefusedError("smtp down")
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", send_or_fail),
        mock.patch.object(tasks.notice_send, "apply_async") as own,
        mock.patch.object(tasks, "notices_brokerless", return_value=False),
    ):
        tasks.notices_send(notice_ids)
    own.assert_called_once()
    assert own.call_args.args[0] == (notice_ids[1],) and own.call_args.kwargs["countdown"] == 30
    assert sorted(m.to[0] for m in mail.outbox) == ["d0@example.com", "d2@example.com"]
    failed = Notice.objects.get(pk=notice_ids[1])
    assert (failed.status, failed.attempts) == ("retrying", 1)
    tasks.notice_send(notice_ids[1])  # its own task, retried
    assert Notice.objects.get(pk=notice_ids[1]).status == "sent"


def test_without_a_broker_one_failed_try_leaves_the_rest_to_the_sweep(campaign):
    """Inside the request that counted the gifts: one failed try at most, no retry run inline, nothing lost."""
    with TestCase.captureOnCommitCallbacks(execute=False), mock.patch.object(tasks.notices_send, "delay"):
        receipts_send(entries(campaign, 3))
    notice_ids = [str(pk) for pk in Notice.objects.order_by("email").values_list("pk", flat=True)]
    tries = []

    def down(message, *args, **kwargs):
        tries.append(message.to[0])
        raise ConnectionRefusedError("smtp down")

    with (
        mock.patch.object(mail.EmailMultiAlternatives, "send", down),
        mock.patch.object(tasks.notice_send, "apply_async") as own,
    ):
        tasks.notices_send(notice_ids)
    assert tries == ["d0@example.com"] and not own.called
    rows = {n.email: n for n in Notice.objects.all()}
    assert (rows["d0@example.com"].status, rows["d0@example.com"].attempts) == ("retrying", 1)
    assert {rows[e].status for e in ("d1@example.com", "d2@example.com")} == {"queued"}
    assert all(n.claimed_until is None for n in rows.values())
    tasks.notices_sweep()  # the mail server is back: the queued two go now, the failed one when due
    assert sorted(m.to[0] for m in mail.outbox) == ["d1@example.com", "d2@example.com"]
    Notice.objects.filter(email="d0@example.com").update(due_at=timezone.now())
    tasks.notices_sweep()
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"} and len(mail.outbox) == 3


def test_a_notice_another_process_holds_is_left_to_it(campaign):
    from fundraising.supporters import notices

    with mock.patch.object(tasks.notices_send, "delay"):
        receipts_send(entries(campaign, 2))
    held, free = [str(pk) for pk in Notice.objects.order_by("email").values_list("pk", flat=True)]
    assert notices.notice_claim(notice_id=held)  # a redelivered task or the sweep is sending it
    tasks.notices_send([held, free])
    assert [m.to for m in mail.outbox] == [["d1@example.com"]]
    assert Notice.objects.get(pk=held).status == "queued"
    assert notices.notices_claim(notice_ids=[held, free]) == []  # sent, or held: nothing to take


def test_each_receipt_of_a_batch_speaks_its_campaigns_language(organization):
    """Rendered per language within the batch: the English, French and German receipts, interleaved, each get
    their own language's subject, text and page, and their own gift's amount."""
    locales = ("en_US", "fr_FR", "de_DE")
    campaigns = {locale: CampaignFactory(organization=organization, locale=locale) for locale in locales}
    donations = [
        DonationFactory(campaign=campaigns[locale], amount=amount, donor_email=f"{locale}-{amount}@example.com")
        for amount in (1100, 2200)
        for locale in campaigns
    ]
    batch = [Entry(kind="donation.counted", key=f"donation.counted:{d.pk}", donation_id=d.pk) for d in donations]
    with mock.patch.object(tasks.notices_send, "delay") as queued:
        receipts_send(batch)
    tasks.notices_send(queued.call_args.args[0])
    words = {"en_US": ("Receipt:", "Thank you for your gift"), "fr_FR": ("Reçu :", "Merci pour votre don"),
             "de_DE": ("Beleg:", "Vielen Dank für Ihre Spende")}  # fmt: skip
    assert len(mail.outbox) == 6
    for message in mail.outbox:
        lowered, amount = message.to[0].split("@")[0].split("-")  # addresses are kept in lower case
        locale = next(locale for locale in locales if locale.lower() == lowered)
        subject, thanks = words[locale]
        assert message.subject.startswith(subject), message.subject
        assert thanks in message.body and thanks in message.alternatives[0][0]
        assert campaigns[locale].format(int(amount)) in message.body
    assert set(Notice.objects.values_list("status", flat=True)) == {"sent"}


def test_a_slow_batch_marks_what_it_sent_every_few_seconds(campaign):
    """A batch whose sends are slow marks its sent receipts as it goes (every SENT_MARK_SECONDS), not only at its
    end: a process killed at the fourth send has the first three marked, so only the fourth may go twice."""
    with TestCase.captureOnCommitCallbacks(execute=False), mock.patch.object(tasks.notices_send, "delay"):
        receipts_send(entries(campaign, 4))
    notice_ids = [str(pk) for pk in Notice.objects.order_by("email").values_list("pk", flat=True)]
    clock = iter(range(0, 1000, 3))  # each look at the clock 3 s later: past SENT_MARK_SECONDS every time
    real_send = mail.EmailMultiAlternatives.send

    def send_or_die(message, *args, **kwargs):
        if message.to == ["d3@example.com"]:
            raise KeyboardInterrupt  # the process killed mid-batch: nothing after this line runs
        return real_send(message, *args, **kwargs)

    with (
        mock.patch.object(tasks.time, "monotonic", lambda: next(clock)),
        mock.patch.object(mail.EmailMultiAlternatives, "send", send_or_die),
        mock.patch.object(tasks.notices, "notices_sent", wraps=tasks.notices.notices_sent) as marks,
    ):
        try:
            tasks.notices_deliver(tasks.notices.notices_claim(notice_ids=notice_ids), rendered={}, sent=[])
        except KeyboardInterrupt:
            pass
    statuses = dict(Notice.objects.values_list("email", "status"))
    assert statuses == {"d0@example.com": "sent", "d1@example.com": "sent", "d2@example.com": "sent",
                        "d3@example.com": "queued"}  # fmt: skip
    assert marks.call_count == 3
