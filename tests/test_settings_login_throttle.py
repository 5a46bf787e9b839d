"""Admin sign-in is throttled per username and address, and per username across addresses, so guessing stops,
nobody else is locked out and an owner keeps their usual address."""

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
    limit = settings.AXES_PAIR_FAILURE_LIMIT
    assert statuses[: limit - 1] == [200] * (limit - 1)  # the form again
    assert set(statuses[limit:]) == {429}
    assert sign_in("alice", "alice-real-password") == (429, False)  # the right one too, from that address


def test_it_does_not_lock_out_other_owners_or_addresses(sign_in):
    for n in range(30):
        sign_in("alice", f"guess-{n}")
        sign_in("bob", f"guess-{n}", address="198.51.100.8")
    assert sign_in("bob", "bob-real-password") == (302, True)  # same address as alice's attacker, other user
    assert sign_in("alice", "alice-real-password", address="203.0.113.5") == (302, True)  # alice from elsewhere


def test_it_locks_a_username_guessed_from_many_addresses(sign_in, settings):
    addresses = [f"198.51.100.{n}" for n in range(20, 26)]
    for address in addresses:  # under the per-address limit at each address
        for n in range(settings.AXES_PAIR_FAILURE_LIMIT - 1):
            sign_in("alice", f"guess-{address}-{n}", address=address)
    assert sign_in("alice", "alice-real-password", address="203.0.113.99") == (429, False)
    assert sign_in("bob", "bob-real-password", address="203.0.113.99") == (302, True)  # only alice is locked


def test_it_lets_the_owner_in_from_an_address_they_used_lately(sign_in, settings):
    assert sign_in("alice", "alice-real-password", address="203.0.113.50") == (302, True)  # her office
    for address in [f"198.51.100.{n}" for n in range(30, 36)]:
        for n in range(settings.AXES_PAIR_FAILURE_LIMIT - 1):
            sign_in("alice", f"guess-{address}-{n}", address=address)
    assert sign_in("alice", "alice-real-password", address="203.0.113.99")[0] == 429  # a stranger's address
    assert sign_in("alice", "alice-real-password", address="203.0.113.50") == (302, True)  # her office still works


def test_it_unlocks_a_username_with_axes_reset_username(sign_in, settings):
    from django.core.management import call_command

    for address in [f"198.51.100.{n}" for n in range(40, 46)]:
        for n in range(settings.AXES_PAIR_FAILURE_LIMIT - 1):
            sign_in("alice", f"guess-{address}-{n}", address=address)
    assert sign_in("alice", "alice-real-password")[0] == 429
    call_command("axes_reset_username", "alice")
    assert sign_in("alice", "alice-real-password") == (302, True)


@pytest.mark.slow
def test_it_prints_no_banner_on_every_command():
    from tests.manage_run import run_manage

    result = run_manage({"DEBUG": "1"}, "check")
    assert result.returncode == 0, result.stderr
    assert "AXES" not in result.stdout + result.stderr
