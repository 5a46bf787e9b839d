"""The demo's mailbox: the backend keeps each message, /mailbox/ lists and shows them under DEBUG only."""

import pytest
from django.core.mail import EmailMultiAlternatives


@pytest.fixture
def mailbox(settings, tmp_path):
    settings.EMAIL_BACKEND = "fundraising.ops.mailbox.MailboxBackend"
    settings.MAILBOX_DIR = tmp_path / "mailbox"
    settings.DEBUG = True
    return tmp_path / "mailbox"


def send(subject, to):
    message = EmailMultiAlternatives(subject, "Manage it: http://127.0.0.1:8000/c/demo/manage/abc/", to=[to])
    message.attach_alternative("<p>Manage it</p>", "text/html")
    message.send()


def test_it_lists_and_shows_each_message(client, mailbox, capsys):
    send("Receipt: 25 $ to Keep the lights on", "grace@example.com")
    send("Keep the lights on: November closed", "owner@example.com")
    assert "Mail to owner@example.com: Keep the lights on: November closed -> " in capsys.readouterr().out
    html = client.get("/mailbox/").content.decode()
    assert html.index("November closed") < html.index("Receipt: 25 $")  # newest first
    name = sorted(path.stem for path in mailbox.glob("*.eml"))[0]
    shown = client.get(f"/mailbox/{name}/").content.decode()
    assert "Receipt: 25 $ to Keep the lights on" in shown and "grace@example.com" in shown
    assert '<a href="http://127.0.0.1:8000/c/demo/manage/abc/"' in shown  # the link a supporter follows


def test_it_answers_404_without_debug_or_for_another_file(client, mailbox, settings):
    send("Receipt", "grace@example.com")
    name = next(mailbox.glob("*.eml")).stem
    assert client.get("/mailbox/..%2Fsecret/").status_code == 404
    assert client.get("/mailbox/not-a-name/").status_code == 404
    settings.DEBUG = False
    assert client.get("/mailbox/").status_code == 404
    assert client.get(f"/mailbox/{name}/").status_code == 404


def test_it_is_linked_from_the_admin_under_debug_only(client, db, mailbox, settings):
    from tests.factories import UserFactory

    client.force_login(UserFactory(username="root", is_staff=True, is_superuser=True))
    assert 'href="/mailbox/"' in client.get("/admin/").content.decode()
    settings.DEBUG = False
    assert 'href="/mailbox/"' not in client.get("/admin/").content.decode()
