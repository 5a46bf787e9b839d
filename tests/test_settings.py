"""Start-up refuses bad configuration and names the variable; production settings pass check --deploy."""
import pytest

from tests.manage_run import PRODUCTION, run_manage


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"DEBUG": "0"}, "SECRET_KEY"),
        ({"DEBUG": "maybe"}, "DEBUG"),
        ({"DEBUG": "1", "DATABASE_URL": "nonsense"}, "DATABASE_URL"),
        ({"DEBUG": "1", "REDIS_URL": "localhost:6379"}, "REDIS_URL"),
        ({"DEBUG": "1", "SITE_URL": "example.org"}, "SITE_URL"),
        ({"DEBUG": "1", "STRIPE_SECRET_KEY": "pk_test_wrong_kind"}, "STRIPE_SECRET_KEY"),
        ({"DEBUG": "1", "STRIPE_WEBHOOK_SECRET": "secret"}, "STRIPE_WEBHOOK_SECRET"),
        ({"DEBUG": "1", "SECURE_HSTS_SECONDS": "a year"}, "SECURE_HSTS_SECONDS"),
        ({"DEBUG": "1", "LOG_LEVEL": "loud"}, "LOG_LEVEL"),
        ({"DEBUG": "1", "OUTGOING_ALLOW_PRIVATE": "sometimes"}, "OUTGOING_ALLOW_PRIVATE"),
        ({"DEBUG": "1", "RATE_LIMIT_MULTIPLIER": "0"}, "RATE_LIMIT_MULTIPLIER"),
    ],
)
def test_it_refuses_to_start_and_names_the_variable(overrides, named):
    result = run_manage(overrides, "check")
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr
    assert named in result.stderr.splitlines()[-1]


@pytest.mark.parametrize(
    ("overrides", "allowed"),
    [
        ({"DEBUG": "1"}, "True"),
        ({"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}, "False"),
        ({"DEBUG": "1", "MILESTONE_WEBHOOK_ALLOW_PRIVATE": "0"}, "False"),  # the deprecated name still counts
        ({"DEBUG": "1", "MILESTONE_WEBHOOK_ALLOW_PRIVATE": "0", "OUTGOING_ALLOW_PRIVATE": "1"}, "True"),
    ],
)
def test_it_reads_outgoing_allow_private_then_its_deprecated_name(overrides, allowed):
    script = "from django.conf import settings; print(settings.OUTGOING_ALLOW_PRIVATE)"
    result = run_manage(overrides, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == allowed


@pytest.mark.parametrize(
    ("overrides", "multiplier"),
    [({"DEBUG": "1"}, "20"), ({"DEBUG": "0", "SECRET_KEY": PRODUCTION["SECRET_KEY"]}, "1"),
     ({"DEBUG": "1", "RATE_LIMIT_MULTIPLIER": "3"}, "3")],
)  # fmt: skip
def test_it_lets_a_person_explore_the_demo_past_production_rate_limits(overrides, multiplier):
    script = "from django.conf import settings; print(settings.RATE_LIMIT_MULTIPLIER)"
    result = run_manage(overrides, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == multiplier


def test_it_runs_on_embedded_defaults_in_debug():
    result = run_manage({"DEBUG": "1"}, "check")
    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout


def test_it_passes_check_deploy_with_production_values():
    result = run_manage(PRODUCTION, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode == 0, result.stdout + result.stderr


def test_it_warns_when_production_hardening_is_switched_off():
    result = run_manage({**PRODUCTION, "SECURE_SSL_REDIRECT": "0"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr
