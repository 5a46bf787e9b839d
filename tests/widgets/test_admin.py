"""Owners get an Embed page per campaign: previews and snippets with their options; others get 404."""

import pytest

from fundraising.campaigns.services import owner_add
from fundraising.widgets.admin import embed_snippets
from fundraising.widgets.options import WidgetOptions
from tests.factories import CampaignFactory, OrganizationFactory


@pytest.fixture
def embed_url(campaign):
    return f"/admin/campaigns/campaign/{campaign.pk}/embed/"


def test_it_links_the_embed_page_from_the_change_page(client, alice, campaign, embed_url):
    client.force_login(alice)
    assert f'href="{embed_url}"' in client.get(f"/admin/campaigns/campaign/{campaign.pk}/change/").content.decode()


def test_it_shows_previews_and_snippets_of_every_format(client, alice, campaign, embed_url, settings, widget_root):
    settings.SITE_URL = "https://fund.example.org"
    client.force_login(alice)
    page = client.get(embed_url).content.decode()
    assert '<fundraising-progress campaign="lights"' in page
    assert 'src="/w/lights/"' in page and 'src="/w/lights.svg"' in page
    assert "&lt;script async src=&quot;https://fund.example.org/w/lights.js&quot;&gt;&lt;/script&gt;" in page
    assert "&lt;noscript&gt;" in page
    assert "&lt;iframe src=&quot;https://fund.example.org/w/lights/&quot;" in page
    assert "[![Keep the lights on](https://fund.example.org/w/lights.svg)](https://fund.example.org/c/lights/)" in page
    assert "https://fund.example.org/w/lights.json" in page
    assert "&quot;raised&quot;:0" in page  # the JSON preview
    assert 'href="/c/lights/poster/?paper=a4"' in page and 'href="/c/lights/poster/?paper=letter"' in page


def test_it_puts_the_chosen_options_in_every_snippet(client, alice, campaign, embed_url, widget_root):
    client.force_login(alice)
    page = client.get(embed_url, {"theme": "dark", "accent": "#F59E0B", "layout": "compact"}).content.decode()
    assert (
        "/w/lights.js&quot; data-theme=&quot;dark&quot; data-accent=&quot;f59e0b&quot; data-layout=&quot;compact&quot;"
        in page
    )
    assert "/w/lights/?theme=dark&amp;accent=f59e0b&amp;layout=compact" in page
    assert "/w/lights.svg?theme=dark&amp;accent=f59e0b&amp;layout=compact)" in page


def test_it_previews_the_script_with_exactly_the_snippets_options(client, alice, campaign, embed_url, widget_root):
    client.force_login(alice)
    page = client.get(embed_url, {"amounts": "1", "supporters": "1", "locale": "fr_FR"}).content.decode()
    assert '<fundraising-progress campaign="lights" locale="fr_FR" amounts="1" supporters="1">' in page
    assert "data-amounts=&quot;1&quot; data-supporters=&quot;1&quot;" in page
    plain = client.get(embed_url).content.decode()
    assert '<fundraising-progress campaign="lights"></fundraising-progress>' in plain


def test_it_puts_the_locale_in_the_script_url_and_the_rest_in_attributes(db, campaign, settings):
    settings.SITE_URL = "https://fund.example.org"
    options = WidgetOptions(locale="fr_FR", theme="dark", supporters=True)
    script = embed_snippets(campaign=campaign, options=options)["script"]
    assert script.startswith('<div style="min-height:408px"><script async ')
    assert 'src="https://fund.example.org/w/lights.js?locale=fr_FR" data-theme="dark" data-supporters="1">' in script
    assert "data-locale" not in script and "data-campaign" not in script and "/static/" not in script
    assert (
        '<noscript><a href="https://fund.example.org/c/lights/"><img src="https://fund.example.org/w/lights.svg?'
        in (script)
    )


def test_it_refuses_injected_options_and_escapes_the_title(client, alice, organization, widget_root):
    campaign = CampaignFactory(organization=organization, slug="hostile", title="</text><script>alert(1)</script>")
    client.force_login(alice)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/embed/", {"accent": '"><script>x</script>'})
    body = page.content.decode()
    assert page.status_code == 200
    assert "accent must be a hex colour" in body
    assert "<script>alert(1)" not in body and "<script>x" not in body


def test_it_hides_another_organisations_embed_page(client, charlie, campaign, embed_url):
    other = OrganizationFactory(name="Charlie's club")
    owner_add(organization=other, user=charlie)
    client.force_login(charlie)
    assert client.get(embed_url).status_code == 404


def test_it_escapes_the_title_in_the_markdown_snippet(client, alice, organization, widget_root):
    title = "</text><script>alert(1)</script> ](javascript:alert(2)) *x* _y_ `z` \\"
    campaign = CampaignFactory(organization=organization, slug="hostile", title=title)
    markdown = embed_snippets(campaign=campaign, options=WidgetOptions())["markdown"]
    alt = markdown[len("[![") : markdown.index("](http")]
    assert alt == (
        "&lt;/text&gt;&lt;script&gt;alert\\(1\\)&lt;/script&gt; \\]\\(javascript:alert\\(2\\)\\) "
        "\\*x\\* \\_y\\_ \\`z\\` \\\\"
    )
    client.force_login(alice)
    page = client.get(f"/admin/campaigns/campaign/{campaign.pk}/embed/").content.decode()
    assert "&amp;lt;script&amp;gt;alert\\(1\\)" in page  # the snippet, escaped again for display


def test_it_offers_the_supporters_wall_with_room_for_it(client, alice, campaign, embed_url, widget_root):
    client.force_login(alice)
    page = client.get(embed_url, {"supporters": "1"}).content.decode()
    assert 'id="id_supporters" name="supporters" value="1" checked' in page
    assert "turn it on in the campaign first" in page  # the campaign has not opted in yet
    assert "data-supporters=&quot;1&quot;" in page and "min-height:408px" in page  # 168 + 240
    iframe = "/w/lights/?supporters=1&quot; title=&quot;Keep the lights on&quot; width=&quot;100%&quot; "
    assert iframe + "height=&quot;490&quot;" in page
