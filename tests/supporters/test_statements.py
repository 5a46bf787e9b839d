"""Yearly statements: one calendar year (campaign time zone) of one address's gifts to the organisation,
refunds netted; owners send everyone's statement for a year in one task, with progress shown."""

import datetime

from django.core import mail
from django.test import TestCase

from fundraising.campaigns.services import period_for
from fundraising.supporters import links
from fundraising.supporters.models import Notice, StatementRun
from tests.factories import CampaignFactory, DonationFactory


def gift(campaign, when, email="ann@example.com", **kwargs):
    return DonationFactory(campaign=campaign, paid_at=when, period=period_for(campaign=campaign, when=when),
                           donor_email=email, **kwargs)  # fmt: skip


def at(*args):
    return datetime.datetime(*args, tzinfo=datetime.UTC)


def test_it_prints_one_year_with_refunds_netted(client, campaign, organization):
    campaign.time_zone = "America/New_York"
    campaign.save()
    gift(campaign, at(2025, 1, 1, 3), amount=9900)  # 31 Dec 2024 in New York: not in 2025
    gift(campaign, at(2025, 3, 10, 12), amount=2500, stripe_invoice_id="in_march")
    gift(campaign, at(2025, 6, 1, 12), amount=5000, amount_refunded=2000, status="partially_refunded")
    gift(campaign, at(2025, 7, 1, 12), amount=100000, email="other@example.com")
    sister = CampaignFactory(organization=organization, slug="sister", title="Sister campaign")
    gift(sister, at(2025, 8, 1, 12), amount=1000, email="ANN@example.com")
    token = links.manage_token(organization_id=organization.pk, email="ann@example.com")
    html = client.get(f"/c/lights/manage/{token}/statement/2025/").content.decode()
    assert html.count("<tr><td>") == 3
    assert "99 $" not in html and "1,000 $" not in html
    assert "in_march" in html and "Sister campaign" in html
    assert '<strong class="st-total">65 $</strong>' in html  # 25 + (50 - 20) + 10
    assert "@media print" in open("static/fundraising/statement.css").read()
    empty = client.get(f"/c/lights/manage/{token}/statement/2019/").content.decode()
    assert "No gifts from this address in 2019." in empty
    assert client.get(f"/c/lights/manage/{token}/statement/1999/").status_code == 404


def test_it_sends_everyones_statement_once_with_progress(client, campaign, alice):
    gift(campaign, at(2025, 3, 10, 12), amount=2500)
    gift(campaign, at(2025, 4, 10, 12), amount=2500, email="Ann@Example.com")
    gift(campaign, at(2025, 5, 10, 12), amount=7000, email="bea@example.com")
    gift(campaign, at(2024, 5, 10, 12), amount=7000, email="old@example.com")
    client.force_login(alice)
    form = {"organization": campaign.organization_id, "year": 2025}
    asked = client.post("/admin/supporters/statementrun/add/", form).content.decode()  # first, the question
    assert "This e-mails 2 supporters of Alice&#x27;s club their 2025 statement." in asked
    assert not StatementRun.objects.exists() and mail.outbox == []
    for _ in range(2):  # asking twice sends each statement once
        with TestCase.captureOnCommitCallbacks(execute=True):
            client.post("/admin/supporters/statementrun/add/", {**form, "confirm": "on"})
    again = client.post("/admin/supporters/statementrun/add/", form).content.decode()
    assert "This e-mails 0 supporters" in again and "(2 already received theirs" in again
    assert sorted(m.to[0] for m in mail.outbox) == ["ann@example.com", "bea@example.com"]
    ann = next(m for m in mail.outbox if m.to == ["ann@example.com"])
    assert "50 $" in ann.body and "/statement/2025/" in ann.body
    run, rerun = StatementRun.objects.order_by("created_at")
    assert (run.total, run.done, run.finished_at is not None) == (2, 2, True)
    assert (rerun.total, rerun.done) == (2, 0)  # the re-run queued nothing and says so
    page = client.get("/admin/supporters/statementrun/").content.decode()
    assert "done: 2 queued by this run, 2 sent for 2025 in all" in page
    assert "done: 0 queued by this run (2 had theirs already), 2 sent for 2025 in all" in page
    assert Notice.objects.filter(kind="statement").count() == 2


def test_it_warns_that_the_year_is_not_over(client, campaign, alice):
    import datetime

    this_year = datetime.date.today().year
    gift(campaign, at(this_year, 1, 10, 12), amount=2500)
    client.force_login(alice)
    form = {"organization": campaign.organization_id, "year": this_year}
    asked = client.post("/admin/supporters/statementrun/add/", form).content.decode()
    assert f"{this_year} is not over" in asked and not StatementRun.objects.exists()
