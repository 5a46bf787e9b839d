"""Journal › Entries in the admin: operators (superusers) read every organisation's journal; owners, who are
staff, never see it."""

from fundraising.journal import kinds
from fundraising.journal.services import entry_write
from tests.factories import UserFactory


def test_operators_read_the_journal_and_owners_do_not(client, organization, alice):
    entry_write(kind=kinds.PERIOD_CHANGED, key="period.changed:seen", period_id=1)
    client.force_login(alice)  # an owner of one organisation
    assert client.get("/admin/journal/entry/").status_code == 403
    assert "journal" not in client.get("/admin/").content.decode().lower()
    client.force_login(UserFactory(username="operator", is_staff=True, is_superuser=True))
    page = client.get("/admin/journal/entry/")
    assert page.status_code == 200 and "period.changed:seen" in page.content.decode()
    assert client.get("/admin/journal/entry/add/").status_code == 403
