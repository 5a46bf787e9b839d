"""/favicon.ico leads to the site's icon, and every page names it, so no page logs a 404 for it."""

from django.contrib.staticfiles import finders

from tests.factories import CampaignFactory


def test_it_redirects_favicon_ico_to_the_icon(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 301
    assert response["Location"] == "/static/fundraising/favicon.svg"
    assert finders.find("fundraising/favicon.svg")


def test_it_names_the_icon_on_public_and_admin_pages(client, db):
    CampaignFactory(slug="demo")
    for url in ("/c/demo/", "/admin/login/"):
        page = client.get(url).content.decode()
        assert '<link rel="icon" href="/static/fundraising/favicon.svg" type="image/svg+xml">' in page, url
