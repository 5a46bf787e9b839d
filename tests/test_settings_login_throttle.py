"""Admin sign-in is throttled per username and address, so guessing stops and nobody else is locked out."""

import pytest


@pytest.fixture
def sign_in(client, alice, bob, settings):
    alice.set_password("alice-real-password")
    alice.save()
    bob.set_password("bob-real-password")
    bob.save()
    alice.is_staff = bob.is_staff = True
    alice.save()
    bob.save()

    def attempt(username, password, address="198.51.100.7"):
        client.logout()
        response = client.post(
            "/admin/login/?next=/admin/",
            {"username": username, "password": password},
            REMOTE_ADDR=address,
        )
        return response.status_code, "_auth_user_id" in client.session

    return attempt


def test_it_stops_a_password_guess_after_a_few_tries(sign_in, settings):
    statuses = [sign_in("alice", f"guess-{n}")[0] for n in range(30)]
    assert statuses[: settings.AXES_FAILURE_LIMIT - 1] == [200] * (settings.AXES_FAILURE_LIMIT - 1)  # the form again
    assert set(statuses[settings.AXES_FAILURE_LIMIT :]) == {429}
    assert sign_in("alice", "alice-real-password") == (429, False)  # the right one too, from that address


def test_it_does_not_lock_out_other_owners_or_addresses(sign_in):
    for n in range(30):
        sign_in("alice", f"guess-{n}")
        sign_in("bob", f"guess-{n}", address="198.51.100.8")
    assert sign_in("bob", "bob-real-password") == (302, True)  # same address as alice's attacker, other user
    assert sign_in("alice", "alice-real-password", address="203.0.113.5") == (302, True)  # alice from elsewhere


def test_it_prints_no_banner_on_every_command():
    from tests.manage_run import run_manage

    result = run_manage({"DEBUG": "1"}, "check")
    assert result.returncode == 0, result.stderr
    assert "AXES" not in result.stdout + result.stderr
