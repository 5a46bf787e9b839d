"""In Chromium, an owner signed in to the admin sees the payments to her campaign that could not count, with
the reason and the amount in the currency Stripe charged, and nothing of another organisation's."""

import pytest

from tests.browser import ARTIFACTS, chromium_browser
from tests.factories import CampaignFactory
from tests.stripe_standin import events, objects

pytestmark = pytest.mark.browser


def test_it_shows_an_owner_her_unmatched_payments(chromium, live_server, client, alice, campaign, settings):
    for currency, slug, amount in (("eur", "lights", 460), ("jpy", CampaignFactory(slug="elsewhere").slug, 222)):
        session = objects.session(amount=amount, currency=currency, campaign=slug)
        events.post_event(client, objects.at(objects.BASIL, "checkout.session.completed", session))
    client.force_login(alice)
    cookie = client.cookies[settings.SESSION_COOKIE_NAME]
    with chromium_browser(chromium) as browser:
        context = browser.new_context(viewport={"width": 1400, "height": 520})
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie.value,
                              "url": live_server.url}])  # fmt: skip
        page = context.new_page()
        page.goto(f"{live_server.url}/admin/payments/unmatchedpayment/")
        page.screenshot(path=str(ARTIFACTS / "unmatched_admin.png"))
        rows = page.locator("#result_list tbody tr").all_inner_texts()
    assert len(rows) == 1, rows
    assert "lights" in rows[0] and "€4.60" in rows[0] and "Other currency" in rows[0]
