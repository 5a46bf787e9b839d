"""The supporters wall (/w/<slug>/supporters.json and ?supporters=1): opt-in, only what donors made public,
escaped, refreshed by the pipeline and served from the stored entry without a database query."""

import json

from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from fundraising.campaigns.services import period_for
from fundraising.ledger.models import Donation
from fundraising.ledger.services import donation_messages_hide, ledger_changed
from fundraising.widgets.services import snapshot_after_edit
from fundraising.widgets.wall import WALL_SIZE
from fundraising.wsgi import application
from tests.factories import DonationFactory
from tests.wsgi_call import fast_path_hits, wsgi_get

WALL = "/w/lights/supporters.json"
SECRETS = ("ada@secret.example", "cs_test_wall_secret", "pi_test_wall_secret", "ch_test_wall_secret",
           "sub_test_wall_secret", "in_test_wall_secret")  # fmt: skip


def wall_set(campaign, *, on, amounts=False):
    campaign.supporters_wall, campaign.supporters_wall_amounts = on, amounts
    campaign.save()
    snapshot_after_edit(campaign_id=campaign.pk)


def give(campaign, **fields):
    """One paid gift written through the ledger; the pipeline refreshes the wall after commit."""
    period = period_for(campaign=campaign)
    with transaction.atomic():
        donation = DonationFactory(campaign=campaign, **{"period": period, **fields})
        ledger_changed(period_id=period.pk)
    return donation


def wall(client, path=WALL):
    response = client.get(path)
    assert response.status_code == 200, response.status_code
    return response, json.loads(response.content)


def test_it_answers_404_until_the_campaign_opts_in(client, lights):
    give(lights, public_name="Ada", message="Go!")
    wall_set(lights, on=False)
    assert client.get(WALL).status_code == 404
    assert b"Ada" not in client.get("/w/lights/?supporters=1").content
    status, _, _ = wsgi_get(WALL)
    assert status == 404
    assert not list(lights_files(lights, "*.supporters.json"))  # nothing public left on disk for nginx
    wall_set(lights, on=True)
    assert wall(client)[1]["supporters"][0]["name"] == "Ada"
    assert list(lights_files(lights, "*.supporters.json"))


def lights_files(campaign, pattern):
    from fundraising.widgets.services import files_dir

    return files_dir().glob(pattern)


def test_it_shows_names_messages_dates_and_kinds_newest_first(client, lights):
    ada = give(lights, public_name="Ada", message="For the servers", kind=Donation.Kind.MONTHLY)
    give(lights, public_name="Grace")
    _, document = wall(client)
    first, second = document["supporters"]
    assert (first["name"], first["anonymous"], first["kind"]) == ("Grace", False, "one_time")
    assert "message" not in first
    assert (second["name"], second["message"], second["kind"]) == ("Ada", "For the servers", "monthly")
    assert second["date"] == timezone.localtime(ada.paid_at, lights.tz).date().isoformat()
    assert document["text"]["heading"] == "Latest supporters" and document["text"]["lang"] == "en"


def test_an_anonymous_gift_shows_no_name_but_its_message(client, lights):
    give(lights, public_name="Ada Lovelace", anonymous=True, message="Keep going")
    give(lights, public_name="   ")
    response, document = wall(client)
    assert [s["name"] for s in document["supporters"]] == [None, None]
    assert all(s["anonymous"] for s in document["supporters"])
    assert document["supporters"][1]["message"] == "Keep going"
    assert b"Lovelace" not in response.content
    page = client.get("/w/lights/?supporters=1").content.decode()
    assert "Lovelace" not in page and "Keep going" in page and page.count(">Anonymous<") == 2


def test_a_hidden_message_is_absent_everywhere(client, lights):
    kept = give(lights, public_name="Ada", message="Thanks a lot")
    spam = give(lights, public_name="Mallory", message="Buy cheap pills")
    assert donation_messages_hide(donations=[spam]) == 1
    response, document = wall(client)
    assert b"cheap pills" not in response.content
    assert b"cheap pills" not in client.get("/w/lights/?supporters=1").content
    assert [s.get("message") for s in document["supporters"]] == [None, "Thanks a lot"]
    assert document["supporters"][0]["name"] == "Mallory"  # the gift and its name stay
    # The count the admin reports is of messages whose state changed, not of the selection.
    assert donation_messages_hide(donations=[spam, kept]) == 1
    assert donation_messages_hide(donations=[spam, kept], hidden=False) == 2
    assert donation_messages_hide(donations=[spam], hidden=False) == 0
    assert b"cheap pills" in client.get(WALL).content
    assert kept.message == "Thanks a lot"


def test_amounts_show_only_when_the_owner_opts_in(client, lights):
    give(lights, public_name="Ada", amount=2500)
    response, document = wall(client)
    assert document["amounts"] is False
    assert "amount" not in document["supporters"][0] and "amount_display" not in document["supporters"][0]
    assert b"2500" not in response.content and b"$" not in response.content
    assert "25 $ · One-time" not in client.get("/w/lights/?supporters=1").content.decode()
    wall_set(lights, on=True, amounts=True)
    _, document = wall(client)
    assert (document["supporters"][0]["amount"], document["supporters"][0]["amount_display"]) == (2500, "25 $")
    assert "25 $ · One-time" in client.get("/w/lights/?supporters=1").content.decode()


def test_it_never_shows_an_email_a_stripe_id_or_a_row_id(client, lights):
    wall_set(lights, on=True, amounts=True)
    donation = give(
        lights, public_name="Ada", message="Hi", donor_email=SECRETS[0], stripe_checkout_session_id=SECRETS[1],
        stripe_payment_intent_id=SECRETS[2], stripe_charge_id=SECRETS[3], stripe_subscription_id=SECRETS[4],
        stripe_invoice_id=SECRETS[5], kind=Donation.Kind.MONTHLY,
    )  # fmt: skip
    bodies = [client.get(WALL).content, client.get(f"{WALL}?locale=fr_FR").content,
              client.get("/w/lights/?supporters=1").content, wsgi_get(WALL)[2]]  # fmt: skip
    for body in bodies:
        assert b"Ada" in body
        for secret in (*SECRETS, str(donation.pk), donation.pk.hex):
            assert secret.encode() not in body


def test_it_leaves_out_gifts_that_no_longer_count_and_keeps_the_latest(client, lights):
    give(lights, public_name="Refunded", amount_refunded=1000, status=Donation.Status.REFUNDED)
    give(lights, public_name="Disputed", dispute_status="lost", amount_disputed=1000, status=Donation.Status.DISPUTED)
    give(lights, public_name="Pending", paid_at=None, status=Donation.Status.PENDING, period=None)
    give(lights, public_name="Partly", amount_refunded=500, status=Donation.Status.PARTIALLY_REFUNDED)
    assert [s["name"] for s in wall(client)[1]["supporters"]] == ["Partly"]
    for n in range(WALL_SIZE + 2):
        give(lights, public_name=f"Donor {n}")
    names = [s["name"] for s in wall(client)[1]["supporters"]]
    assert names == [f"Donor {n}" for n in range(WALL_SIZE + 1, 1, -1)]


def test_it_escapes_markup_in_names_and_messages(client, lights):
    give(lights, public_name="</script><b>x", message="<img src=x onerror=alert(1)> & co")
    raw = client.get(WALL).content
    assert b"<" not in raw and b">" not in raw and b"&" not in raw
    document = json.loads(raw)
    assert document["supporters"][0]["name"] == "</script><b>x"
    page = client.get("/w/lights/?supporters=1").content.decode()
    assert "</script><b>" not in page and "<img src=x" not in page
    assert "&lt;/script&gt;&lt;b&gt;x" in page and "&lt;img src=x onerror=alert(1)&gt; &amp; co" in page


def test_a_new_gift_shows_after_the_refresh(client, lights, monkeypatch):
    now = [1000.0]
    monkeypatch.setattr(application, "clock", lambda: now[0])
    give(lights, public_name="Ada")
    assert [s["name"] for s in json.loads(wsgi_get(WALL)[2])["supporters"]] == ["Ada"]
    give(lights, public_name="Grace")
    now[0] += 1
    assert [s["name"] for s in json.loads(wsgi_get(WALL)[2])["supporters"]] == ["Grace", "Ada"]
    assert [s["name"] for s in wall(client)[1]["supporters"]] == ["Grace", "Ada"]


def test_it_is_served_without_a_database_query(client, lights, monkeypatch):
    give(lights, public_name="Ada", message="Hi")
    wall(client)  # warm
    to_django = fast_path_hits(monkeypatch)
    with CaptureQueriesContext(connection) as fast:
        status, headers, body = wsgi_get(WALL)
    assert (status, to_django, len(fast)) == (200, [], 0)
    with CaptureQueriesContext(connection) as view:
        response = client.get(WALL)
        client.get(f"{WALL}?locale=de_DE")
        client.get("/w/lights/?supporters=1")
    assert len(view) == 0
    assert body == response.content
    expected = {k.lower(): v for k, v in response.items() if k.lower() not in ("date", "server")}
    assert {k: v for k, v in headers.items() if k not in ("date", "server")} == expected
    assert expected["access-control-allow-origin"] == "*" and expected["cache-control"].startswith("public")


def test_it_comes_back_from_the_files_when_the_cache_is_flushed(client, lights):
    from django.core.cache import cache

    give(lights, public_name="Ada", message="Hi")
    before = client.get(WALL).content
    page = client.get("/w/lights/?supporters=1&theme=dark").content
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        assert client.get(WALL).content == before
        assert client.get("/w/lights/?supporters=1&theme=dark&layout=compact").status_code == 200
    assert len(queries) == 0 and b"Ada" in page


def test_it_speaks_the_asked_language(client, lights):
    wall_set(lights, on=True, amounts=True)
    give(lights, public_name="Ada", amount=2500, kind=Donation.Kind.MONTHLY)
    _, document = wall(client, f"{WALL}?locale=fr_FR")
    assert document["text"]["lang"] == "fr" and document["text"]["anonymous"] == "Anonyme"
    assert document["supporters"][0]["amount_display"] == "25 $US"
    page = client.get("/w/lights/?supporters=1&locale=fr_FR").content.decode()
    assert "Derniers soutiens" in page and "Mensuel" in page


def test_an_erasure_takes_the_name_and_message_off_the_wall(client, lights):
    from fundraising.ledger.erasure import donor_erase

    give(lights, public_name="Ada Lovelace", message="Counting on you", donor_email="ada@example.org")
    assert b"Lovelace" in client.get(WALL).content
    donor_erase(organization_id=lights.organization_id, email="ada@example.org")
    body = client.get(WALL).content
    assert b"Lovelace" not in body and b"Counting on you" not in body
    assert json.loads(body)["supporters"][0]["anonymous"] is True


def test_the_month_end_batch_keeps_the_wall(client, lights):
    """The rollover switches widgets in batches (snapshots_refresh); the wall is not the month's and stays."""
    from fundraising.widgets.services import snapshots_refresh

    give(lights, public_name="Ada", message="Go!")
    assert snapshots_refresh(campaign_ids=[lights.pk]) == 1
    assert wall(client)[1]["supporters"][0]["name"] == "Ada"
    assert list(lights_files(lights, "*.supporters.json"))  # nginx still has the file
    status, _, body = wsgi_get(WALL)
    assert status == 200 and b"Ada" in body


def test_a_reversed_offline_gift_leaves_the_wall_with_its_name_and_message(client, lights):
    import datetime

    from fundraising.ledger import offline

    entry = offline.offline_gift_record(campaign=lights, amount=4000, received_on=timezone.localdate(),
                                        method="cheque", recorded_by=None, name="Ada Offline")  # fmt: skip
    Donation.objects.filter(pk=entry.donation.pk).update(message="Typed by mistake")
    with transaction.atomic():
        ledger_changed(period_id=entry.period.pk)
    give(lights, public_name="Grace", paid_at=timezone.now() - datetime.timedelta(days=1))
    assert [s["name"] for s in wall(client)[1]["supporters"]] == ["Ada Offline", "Grace"]

    offline.offline_gift_reverse(donation=entry.donation, recorded_by=None)
    body = client.get(WALL).content
    assert b"Ada Offline" not in body and b"Typed by mistake" not in body
    assert [s["name"] for s in json.loads(body)["supporters"]] == ["Grace"]
