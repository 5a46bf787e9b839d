"""What a new user tries in `make demo`: simulate a monthly gift with an address, get the receipt, ask
for a manage link and see the gift with its renewal date."""

import pytest
from django.core import mail
from django.core.management import call_command
from django.test import Client

from fundraising.supporters.tasks import notices_sweep


@pytest.mark.django_db(transaction=True)
def test_it_lets_a_demo_supporter_find_their_gift(live_server, campaign, settings, capsys):
    settings.SITE_URL = live_server.url
    call_command("simulate_donation", "lights", "12", "--monthly", "--email", "new@example.com")
    call_command("simulate_donation", "lights", "5", "--email", "new@example.com")
    assert sorted(m.subject for m in mail.outbox) == ["Receipt: 12 $ to Keep the lights on",
                                                     "Receipt: 5 $ to Keep the lights on"]  # fmt: skip
    client = Client()
    assert client.post("/c/lights/manage/", {"email": "new@example.com"}).status_code == 200
    notices_sweep()  # without a broker, beat's sweep sends the link (after a response, or `manage.py beat_run`)
    link = next(w for w in mail.outbox[-1].body.split() if "/manage/" in w)
    html = client.get(link.replace(live_server.url, "")).content.decode()
    assert '<strong class="fr-amount">12 $</strong>' in html and "Next payment on" in html
