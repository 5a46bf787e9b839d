"""The manage-link form takes equal time whatever the address: the request does the same database work for an
address that gave and one that did not (the lookup and the e-mail happen later, in the notice's send), and
the link still reaches the supporter."""

import re

from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext

from fundraising.supporters import tasks
from fundraising.supporters.models import Notice
from tests.factories import DonationFactory

STATEMENT = re.compile(r'^(\w+)\b.*?\b(?:FROM|INTO|UPDATE)\s+"?(\w+)"?', re.S)


def ask(client, email, ip):
    with CaptureQueriesContext(connection) as queries, TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post("/c/lights/manage/", {"email": email}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    return [statement(query["sql"]) for query in queries]


def statement(sql):
    """What a query does and to which table, its values left out (savepoint names numbered apart)."""
    matched = STATEMENT.match(sql)
    return matched.groups() if matched else re.sub(r"\w*\d\w*", "N", sql)


def test_it_does_the_same_database_work_whether_or_not_the_address_gave(client, campaign):
    DonationFactory(campaign=campaign, donor_email="gave@example.com")
    ask(client, "warm@example.com", ip="10.0.0.9")  # first request of the process: sessions, sites, caches
    known = ask(client, "gave@example.com", ip="10.0.0.1")
    unknown = ask(client, "never@example.com", ip="10.0.0.2")
    assert known == unknown
    assert not any("donation" in str(statement) for statement in known)  # the lookup is not in the request
    assert mail.outbox == []  # nothing is sent inside the request either


def test_the_link_goes_to_the_supporter_and_a_strangers_address_leaves_no_row(client, campaign):
    DonationFactory(campaign=campaign, donor_email="gave@example.com")
    ask(client, "gave@example.com", ip="10.0.0.1")
    ask(client, "never@example.com", ip="10.0.0.2")
    tasks.notices_sweep()
    assert [message.to for message in mail.outbox] == [["gave@example.com"]]
    assert "/manage/" in mail.outbox[0].body
    assert list(Notice.objects.values_list("email", "status")) == [("gave@example.com", "sent")]
