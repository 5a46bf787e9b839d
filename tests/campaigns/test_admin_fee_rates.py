"""The organisation's card fees in the admin: owners type them as people read them ("2.2", "0.30") and they are
stored exactly; the defaults in use are stated as defaults; editors read them and cannot change them."""

from fundraising.campaigns.models import FeeRate
from tests.admin_helpers import form_data


def url_of(organization):
    return f"/admin/campaigns/organization/{organization.pk}/change/"


def with_fee(data, **fields):
    data.update({"fee_rates-TOTAL_FORMS": "1", "fee_rates-INITIAL_FORMS": "0"})
    data.update({f"fee_rates-0-{name}": value for name, value in fields.items()})
    return data


def test_it_states_the_defaults_until_the_owner_enters_a_rate(client, alice, organization, campaign):
    client.force_login(alice)
    html = client.get(url_of(organization)).content.decode()
    assert "USD: 2.9 % + 0.30 USD (default)" in html
    assert "Stripe&#x27;s standard published pricing" in html or "Stripe's standard published pricing" in html


def test_an_owner_enters_the_accounts_own_rate_exactly(client, alice, organization, campaign):
    client.force_login(alice)
    data = with_fee(form_data(client, url_of(organization)), currency="usd", percent="2,2", fixed_shown="0.30")
    response = client.post(url_of(organization), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    fee = FeeRate.objects.get()
    assert (fee.organization_id, fee.currency, fee.percent_bp, fee.fixed) == (organization.pk, "usd", 220, 30)
    html = client.get(url_of(organization)).content.decode()
    assert 'value="2.2"' in html and 'value="0.30"' in html
    assert "Every currency your campaigns take has its own fee below." in html


def test_it_refuses_a_percentage_with_more_than_one_reading(client, alice, organization):
    client.force_login(alice)
    data = with_fee(form_data(client, url_of(organization)), currency="usd", percent="2.915", fixed_shown="")
    response = client.post(url_of(organization), data)
    assert response.status_code == 200
    assert "at most two decimals" in response.content.decode()
    assert not FeeRate.objects.exists()


def test_an_editor_reads_the_fees_and_cannot_change_them(client, bob, organization):
    FeeRate.objects.create(organization=organization, currency="eur", percent_bp=140, fixed=25)
    client.force_login(bob)
    html = client.get(url_of(organization)).content.decode()
    assert "1.4 % + 0.25 EUR" in html
    assert 'name="fee_rates-0-percent"' not in html
    response = client.post(url_of(organization), {"name": "Taken", "fee_rates-TOTAL_FORMS": "0"})
    assert response.status_code == 403
    assert FeeRate.objects.get().percent_bp == 140


def test_an_owner_or_editor_turns_the_cover_on_for_a_campaign(client, bob, campaign):
    client.force_login(bob)
    url = f"/admin/campaigns/campaign/{campaign.pk}/change/"
    data = form_data(client, url, fee_cover_offered="on", fee_cover_counts="on")
    assert client.post(url, data).status_code == 302
    campaign.refresh_from_db()
    assert (campaign.fee_cover_offered, campaign.fee_cover_counts) == (True, True)
