"""Start-up refuses bad configuration and names the variable; production settings pass check --deploy."""
import gzip
import json

import pytest

from tests.loopback import QuietHandler, serving
from tests.manage_run import PRODUCTION, run_manage, run_python

# Every test here starts manage.py or python in a subprocess (a second or more each): not in `make test-fast`.
pytestmark = pytest.mark.slow


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


# What a production deployment adds to PRODUCTION's minimum (check --deploy connects to none of them).
SERVICES = {
    "DATABASE_URL": "postgres://fundraising@127.0.0.1:5432/fundraising",
    "REDIS_URL": "redis://127.0.0.1:6379/4",
    "STRIPE_SECRET_KEY": "sk_live_" + "Z9y8" * 20,
    "STRIPE_WEBHOOK_SECRET": "whsec_" + "a1B2" * 8,
    "STRIPE_API_BASE": "http://127.0.0.1:1",  # the endpoint check asks Stripe: here it fails at once (W101)
}


def test_it_passes_check_deploy_with_production_values():
    result = run_manage({**PRODUCTION, **SERVICES}, "check", "--deploy")
    out = result.stdout + result.stderr
    assert result.returncode == 0, out
    assert "fundraising.W11" not in out and "security.W" not in out, out  # W101 (Stripe unreachable) may remain


@pytest.mark.parametrize(
    ("overrides", "warning"),
    [
        ({"DATABASE_URL": PRODUCTION["DATABASE_URL"]}, "fundraising.W110"),
        ({"REDIS_URL": ""}, "fundraising.W111"),
        ({"SITE_URL": "http://fund.example.org"}, "fundraising.W112"),
        ({"STRIPE_WEBHOOK_SECRET": ""}, "fundraising.W113"),
    ],
)
def test_it_warns_on_a_deployment_that_should_not_face_donors(overrides, warning):
    result = run_manage({**PRODUCTION, **SERVICES, **overrides}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert warning in result.stdout + result.stderr


def test_it_leaves_hsts_preload_and_subdomains_to_the_operator():
    script = "from django.conf import settings as s; print(s.SECURE_HSTS_PRELOAD, s.SECURE_HSTS_INCLUDE_SUBDOMAINS)"
    assert run_manage(PRODUCTION, "shell", "-c", script).stdout.split()[-2:] == ["False", "False"]
    on = {**PRODUCTION, "SECURE_HSTS_PRELOAD": "1", "SECURE_HSTS_INCLUDE_SUBDOMAINS": "1"}
    assert run_manage(on, "shell", "-c", script).stdout.split()[-2:] == ["True", "True"]


@pytest.mark.parametrize(
    "name", ["NUM_PROXIES", "CONN_MAX_AGE", "STRIPE_EVENT_DRAINS", "AXES_FAILURE_LIMIT", "SECURE_HSTS_SECONDS"]
)
def test_it_refuses_a_number_out_of_range(name):
    result = run_manage({"DEBUG": "1", name: "-1"}, "check")
    assert result.returncode != 0
    assert name in result.stderr.splitlines()[-1] and "between" in result.stderr.splitlines()[-1]


def test_it_warns_when_production_hardening_is_switched_off():
    result = run_manage({**PRODUCTION, "SECURE_SSL_REDIRECT": "0"}, "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "security.W008" in result.stdout + result.stderr


# Django's SMTP backend with EMAIL_TIMEOUT as a deadline for the whole send.
SMTP = "fundraising.core.smtp.EmailBackend"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("smtp+tls://us%40er:p%40ss@mail.example.org:587", f"{SMTP} mail.example.org 587 us@er p@ss True False 10"),
        ("smtp+ssl://u:p@mail.example.org:465", f"{SMTP} mail.example.org 465 u p False True 10"),
        ("smtp://mail.example.org", f"{SMTP} mail.example.org 25 - - False False 10"),
        ("console://", "django.core.mail.backends.console.EmailBackend localhost 25 - - False False 10"),
    ],
)
def test_it_reads_the_mail_server_from_email_url(url, expected):
    script = (
        "from django.conf import settings as s; print(s.EMAIL_BACKEND, s.EMAIL_HOST, s.EMAIL_PORT,"
        " s.EMAIL_HOST_USER or '-', s.EMAIL_HOST_PASSWORD or '-', s.EMAIL_USE_TLS, s.EMAIL_USE_SSL, s.EMAIL_TIMEOUT)"
    )
    result = run_manage({"DEBUG": "1", "EMAIL_URL": url}, "shell", "-c", script)
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == expected


@pytest.mark.parametrize(
    ("overrides", "named"),
    [
        ({"EMAIL_URL": "imap://mail.example.org"}, "EMAIL_URL"),
        ({"EMAIL_URL": "smtp://"}, "EMAIL_URL"),
        ({"EMAIL_URL": "smtp://m.example.org", "EMAIL_BACKEND": "x.y"}, "EMAIL_BACKEND"),
        ({"EMAIL_TIMEOUT": "0"}, "EMAIL_TIMEOUT"),
        ({"CELERY_TASK_TIME_LIMIT": "10"}, "CELERY_TASK_TIME_LIMIT"),
    ],
)
def test_it_refuses_a_bad_mail_or_task_setting(overrides, named):
    result = run_manage({"DEBUG": "1", **overrides}, "check")
    assert result.returncode != 0
    assert named in result.stderr.splitlines()[-1]


def test_it_bounds_every_task_so_a_hung_server_cannot_hold_a_worker():
    script = "from fundraising.celery import app; print(app.conf.task_soft_time_limit, app.conf.task_time_limit)"
    result = run_manage({"DEBUG": "1"}, "shell", "-c", script)
    assert result.stdout.split()[-2:] == ["870", "900"]


@pytest.mark.parametrize(
    ("overrides", "says"),
    [
        ({"SECRET_KEY": "x"}, "has 1 characters"),
        ({"SECRET_KEY": "ab" * 40}, "distinct characters"),
        ({"SECRET_KEY": "dev-only-insecure-key-do-not-use-in-production"}, "published development key"),
        ({"SECRET_KEY": "django-insecure-" + "k3y" * 20}, "published development key"),
        ({"STRIPE_WEBHOOK_SECRET": "whsec_"}, "placeholder"),
        ({"STRIPE_SECRET_KEY": "sk_live_"}, "placeholder"),
        ({"STRIPE_SECRET_KEY": "sk_live_xxx"}, "placeholder"),
    ],
)
def test_it_refuses_weak_or_placeholder_secrets_in_production(overrides, says):
    result = run_manage({**PRODUCTION, **overrides}, "check")
    assert result.returncode != 0
    last = result.stderr.splitlines()[-1]
    assert next(iter(overrides)) in last and says in last


def test_it_takes_real_looking_secrets_in_production():
    secrets = {"STRIPE_WEBHOOK_SECRET": "whsec_" + "a1B2" * 8, "STRIPE_SECRET_KEY": "sk_live_" + "Z9y8" * 20}
    result = run_manage({**PRODUCTION, **secrets}, "check")
    assert result.returncode == 0, result.stderr


def test_it_refuses_a_python_older_than_3_11():
    code = (
        "import sys; sys.version_info = (3, 10, 12, 'final', 0)\n"
        "import django; from django.conf import settings; settings.INSTALLED_APPS"
    )
    env = {**PRODUCTION, "DJANGO_SETTINGS_MODULE": "fundraising.settings"}
    result = run_python(env, code)
    assert result.returncode != 0
    assert "Python 3.10.12 is too old" in result.stderr.splitlines()[-1]




FAIL_A_REQUEST = """
import sentry_sdk
from wsgiref.util import setup_testing_defaults
from django.urls import path
from fundraising import urls
from fundraising.wsgi import application

def broken(request):
    raise RuntimeError("boom")

urls.urlpatterns.insert(0, path("broken/", broken))
environ = {"PATH_INFO": "/broken/", "QUERY_STRING": "email=donor@example.org", "HTTP_HOST": "fund.example.org",
           "REMOTE_ADDR": "203.0.113.77", "HTTP_COOKIE": "sessionid=secret-session", "wsgi.url_scheme": "https"}
setup_testing_defaults(environ)
status = []
b"".join(application(environ, lambda s, h, e=None: status.append(s)))
print(status[0].split()[0])
sentry_sdk.flush(timeout=5)
"""


def test_it_reports_a_failing_request_without_personal_data():
    received = []

    class Sentry(QuietHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            if self.headers.get("Content-Encoding") == "gzip":
                body = gzip.decompress(body)
            received.append(body.decode())
            self.send_response(200)
            self.end_headers()

    with serving(Sentry) as base:
        dsn = base.replace("http://", "http://publickey@") + "/1"
        result = run_manage({**PRODUCTION, "SENTRY_DSN": dsn}, "shell", "-c", FAIL_A_REQUEST)
    assert result.stdout.split()[-1] == "500", result.stderr
    events = [json.loads(line) for body in received for line in body.splitlines() if '"exception"' in line]
    assert events, received
    [event] = events
    assert event["release"].startswith("fundraising@")
    assert event["exception"]["values"][-1]["value"].startswith("boom")
    request = json.dumps(event["request"])  # the script's own source shows in stack frames: look at the request
    assert event["request"]["url"] == "https://fund.example.org/broken/"
    assert "203.0.113.77" not in request and "secret-session" not in request
    assert "ip_address" not in event.get("user", {})
