"""The admin shows which release runs, so an operator can tell after an upgrade."""

from fundraising import __version__


def test_it_shows_the_version_in_the_admin_footer(client, alice, organization):
    client.force_login(alice)
    page = client.get("/admin/").content.decode()
    assert f"Fundraising {__version__}" in page.split('id="footer"', 1)[1]
