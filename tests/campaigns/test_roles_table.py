"""Every admin URL and every admin action, for one user who is owner in organisation A, editor in C, viewer
in B and nothing in D, against one table of what each role gets (fundraising/campaigns/roles.py NEEDS).

Each organisation holds a row of every model, marked with its role (`zzownerzz`, ...). For each page of a
model and each organisation, the test records whether the user got that organisation's row: listed, offered
as a choice on an add page, opened, savable, deletable; for each action, whether it took effect on the row.
The result must equal the table exactly. A new admin URL, model or action without a row in the table fails
`test_the_table_names_every_admin_url_and_action` (issue 25: scope by construction)."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.core import mail
from django.test import TestCase
from django.urls import URLResolver

from fundraising.campaigns.models import FeeRate, Invitation
from fundraising.campaigns.services import owner_add, period_for
from fundraising.integrations.models import Delivery, Endpoint
from fundraising.journal.models import Entry
from fundraising.ledger.models import Donation
from fundraising.payments.models import (
    PaymentState,
    Refund,
    StripeEvent,
    SubscriptionLink,
    SubscriptionState,
    UnmatchedPayment,
)
from fundraising.supporters.models import Notice, StatementRun
from fundraising.supporters.notices import notice_create
from tests.factories import CampaignFactory, DonationFactory, OrganizationFactory, UserFactory

ROLES = {"O": "owner", "E": "editor", "V": "viewer", "X": "outsider"}  # the user's role in each organisation

# Per model, which of the user's organisations it gets on each standard page of that organisation's row:
# list: listed; add: offered on the add page; read: the change page opens; write: it has Save;
# delete: the deletion can be confirmed; history: opens. (The bare "<id>/" route only redirects: all.)
NOTHING = {"list": "", "add": "", "read": "", "write": "", "delete": "", "history": ""}
READ_ONLY = {"list": "OEV", "add": "", "read": "OEV", "write": "", "delete": "", "history": "OEV"}
MODELS = {
    "campaigns.organization": {**READ_ONLY, "write": "O"},
    "campaigns.invitation": {"list": "O", "add": "O", "read": "O", "write": "", "delete": "O", "history": "O"},
    "campaigns.period": READ_ONLY,
    "campaigns.campaign": {**READ_ONLY, "add": "OE", "write": "OE"},
    "ledger.donation": READ_ONLY,
    "integrations.endpoint": {"list": "O", "add": "O", "read": "O", "write": "O", "delete": "O", "history": "O"},
    "integrations.delivery": {**NOTHING, "list": "O", "read": "O", "history": "O"},
    "supporters.notice": READ_ONLY,
    "supporters.monthlygift": READ_ONLY,
    "supporters.statementrun": {**NOTHING, "list": "O", "add": "O", "read": "O", "history": "O"},
    "supporters.supportertools": {"list": "O"},  # one page: export, erase, manage link
    "payments.unmatchedpayment": READ_ONLY,
    # Operators' pages: superusers only.
    "payments.stripeevent": NOTHING,
    "payments.paymentstate": NOTHING,
    "payments.refund": NOTHING,
    "payments.subscriptionlink": NOTHING,
    "journal.entry": NOTHING,
    "auth.user": NOTHING,
    "auth.group": NOTHING,
    "axes.accessattempt": NOTHING,
    "axes.accesslog": NOTHING,
    "axes.accessfailurelog": NOTHING,
}
# Views the apps add: (model whose row the URL names, or None; method; who gets it).
CUSTOM = {
    "campaigns/campaign/<path:object_id>/embed/": ("campaigns.campaign", "GET", "OEV"),
    "campaigns/campaign/<path:object_id>/dashboard/": ("campaigns.campaign", "GET", "OEV"),
    "campaigns/campaign/<path:object_id>/preview/": ("campaigns.campaign", "PREVIEW", "OE"),  # the bar as edited
    "ledger/donation/<path:object_id>/reverse/": ("ledger.donation", "GET", "OE"),
    "ledger/donation/export.csv": (None, "CSV", "O"),  # the row is in the file
    "ledger/donation/offline/": (None, "OFFLINE", "OE"),  # the campaign is offered
    "integrations/endpoint/<path:object_id>/send-test/": ("integrations.endpoint", "POST", "O"),
    "auth/user/<id>/password/": ("auth.user", "GET", ""),
}
# Inlines a role edits on its parent's page, apart from the parent's own rights: (parent model, formset prefix)
# and who reads the organisation's rows there, who gets them as fields to change.
INLINES = {
    ("campaigns.organization", "fee_rates"): {"read": "OEV", "write": "O"},  # card fees (cover the fees)
}
ACTIONS = {
    ("ledger.donation", "message_hide"): "OE",
    ("ledger.donation", "message_show"): "OE",
    ("ledger.donation", "name_hide"): "OE",
    ("ledger.donation", "name_show"): "OE",
    ("supporters.notice", "send_again"): "OE",
    ("supporters.monthlygift", "send_manage_link"): "OE",
    ("axes.accessattempt", "cleanup_expired_attempts"): "",
}
# Pages of no organisation: their status for this user.
SITE = {
    "": 200,
    "login/": 302,
    "logout/": 405,
    "password_change/": 200,
    "password_change/done/": 200,
    "autocomplete/": 403,
    "jsi18n/": 200,
    "campaigns/campaign/preview/": 405,  # POST only: a new campaign's bar from the typed values, no stored row
    "r/<path:content_type_id>/<path:object_id>/": 404,  # no model here has a page on the site
    "(?P<url>.*)$": 404,
}
APPS = {"auth": 404, "axes": 404, "journal": 404, "campaigns": 200, "ledger": 200, "integrations": 200,
        "payments": 200, "supporters": 200}  # fmt: skip
STANDARD = {"": "list", "add/": "add", "<path:object_id>/change/": "change", "<path:object_id>/delete/": "delete",
            "<path:object_id>/history/": "history", "<path:object_id>/": "redirect"}  # fmt: skip


def admin_routes():
    def walk(patterns, prefix=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern))
            else:
                yield prefix + str(pattern.pattern)

    return list(walk(admin.site.get_urls()))


def route_of_model(route):
    """(model label, standard view) for a model's standard route, else None."""
    for model, model_admin in admin.site._registry.items():
        base = f"{model._meta.app_label}/{model._meta.model_name}/"
        if route.startswith(base) and route[len(base) :] in STANDARD and route not in CUSTOM:
            return model._meta.label_lower, STANDARD[route[len(base) :]]
    return None


def test_the_table_names_every_admin_url_and_action():
    unknown = []
    for route in admin_routes():
        if route in SITE or route in CUSTOM or route.startswith("^(?P<app_label>"):
            continue
        found = route_of_model(route)
        views = MODELS.get(found[0], {}) if found else {}
        if found is None or (found[1] not in ("redirect", "change") and found[1] not in views):
            unknown.append(route)
        elif found[1] == "change" and not {"read", "write"} <= set(views):
            unknown.append(route)
    assert unknown == [], "admin URLs without a row in the roles table"
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(MODELS)
    actions = {(m._meta.label_lower, name) for m, a in admin.site._registry.items() for name in a.actions or ()}
    assert actions == set(ACTIONS)
    app_list = next(r for r in admin_routes() if r.startswith("^(?P<app_label>"))
    assert set(app_list.split(">", 1)[1].split(")", 1)[0].strip("(").split("|")) == set(APPS)


# --- the cast and their rows ---------------------------------------------------------------------------


@pytest.fixture
def mia(db):
    return UserFactory(username="mia")


@pytest.fixture
def rows(mia):
    """{role letter: {model label: its row in the organisation where mia has that role}}."""
    return {letter: organisation_rows(letter, mia) for letter in ROLES}


def organisation_rows(letter, user):
    mark = f"zz{ROLES[letter]}zz"
    org = OrganizationFactory(name=f"Org {mark}")
    owner_add(organization=org, user=UserFactory(username=f"owner-{mark}"))  # every organisation has an owner
    if letter != "X":
        owner_add(organization=org, user=user, role=ROLES[letter])
    campaign = CampaignFactory(organization=org, slug=f"c-{ROLES[letter]}", title=f"Campaign {mark}")
    # A card fee this organisation's page alone shows: 1.0x % (x: the role's place in ROLES).
    FeeRate.objects.create(organization=org, currency="usd", percent_bp=101 + list(ROLES).index(letter), fixed=0)
    email = f"grace-{mark}@example.org"
    donation = DonationFactory(campaign=campaign, public_name=f"Donor {mark}", donor_email=email, message="Hi",
                               source="offline", method="cash")  # fmt: skip
    DonationFactory(campaign=campaign, donor_email=email, stripe_subscription_id=f"sub_{mark}")  # a monthly gift
    endpoint = Endpoint.objects.create(campaign=campaign, url=f"https://hooks.example/{mark}", secret=f"whsec_{mark}",
                                       events=["donation.succeeded"])  # fmt: skip
    notice, _ = notice_create(key=f"manage-link:{mark}", kind=Notice.Kind.MANAGE_LINK, campaign=campaign, email=email)
    from axes.models import AccessAttempt, AccessFailureLog, AccessLog

    axes = {"user_agent": "test", "http_accept": "*/*", "path_info": "/admin/login/", "ip_address": "127.0.0.1"}
    return {
        "campaigns.organization": org,
        "campaigns.invitation": Invitation.objects.create(organization=org, email=f"invitee-{mark}@example.org"),
        "campaigns.period": period_for(campaign=campaign),
        "campaigns.campaign": campaign,
        "ledger.donation": donation,
        "integrations.endpoint": endpoint,
        "integrations.delivery": Delivery.objects.create(
            endpoint=endpoint, event_id=f"evt_{mark}", event_type="donation.succeeded", event_key=mark,
            payload={"donor_email": email},
        ),  # fmt: skip
        "supporters.notice": notice,
        "supporters.monthlygift": SubscriptionState.objects.create(
            subscription_id=f"sub_{mark}", campaign=campaign, status="active", amount=1500, currency="usd",
            customer_id=f"cus_{mark}",
        ),  # fmt: skip
        "supporters.statementrun": StatementRun.objects.create(organization=org, year=2025),
        "supporters.supportertools": org,
        "payments.unmatchedpayment": UnmatchedPayment.objects.create(
            stripe_id=f"pi_un_{mark}", reason=UnmatchedPayment.Reason.CURRENCY, campaign=campaign, campaign_slug=mark
        ),
        "payments.stripeevent": StripeEvent.objects.create(stripe_id=f"evt_{mark}", type="x", payload={}),
        "payments.paymentstate": PaymentState.objects.create(key=f"pi_{mark}"),
        "payments.refund": Refund.objects.create(stripe_id=f"re_{mark}", payment_key=f"pi_{mark}"),
        "payments.subscriptionlink": SubscriptionLink.objects.create(subscription_id=f"sub_{mark}", campaign=campaign),
        "journal.entry": Entry.objects.create(kind="donation.counted", key=mark, organization_id=org.pk),
        "auth.user": UserFactory(username=f"user-{mark}"),
        "auth.group": Group.objects.create(name=f"group-{mark}"),
        "axes.accessattempt": AccessAttempt.objects.create(username=f"user-{mark}", get_data="", post_data="",
                                                           failures_since_start=1, **axes),  # fmt: skip
        "axes.accesslog": AccessLog.objects.create(username=f"user-{mark}", **axes),
        "axes.accessfailurelog": AccessFailureLog.objects.create(username=f"user-{mark}", **axes),
    }


# --- what the user gets --------------------------------------------------------------------------------


def model_url(label):
    app, model = label.split(".")
    return f"/admin/{app}/{model}/"


def offered(response, rows):
    """The organisation (or its campaign) among the add page's choices."""
    if response.status_code != 200:
        return False
    fields = response.context_data["adminform"].form.fields
    for name in ("organization", "campaign"):
        if name in fields:
            return rows[f"campaigns.{name}"] in fields[name].queryset
    return True


def got(client, label, view, rows):
    """Whether the page gave the user this organisation's row."""
    row, mark = rows[label], f"zz{ROLES[rows['letter']]}zz"
    base = model_url(label)
    if view == "list":
        response = client.get(base)
        return response.status_code == 200 and mark in response.content.decode()
    if view == "add":
        return offered(client.get(f"{base}add/"), rows)
    if view in ("read", "write"):
        response = client.get(f"{base}{row.pk}/change/")
        return response.status_code == 200 and (view == "read" or 'name="_save"' in response.content.decode())
    if view == "delete":
        response = client.get(f"{base}{row.pk}/delete/")
        return response.status_code == 200 and 'name="post"' in response.content.decode()
    if view == "history":
        return client.get(f"{base}{row.pk}/history/").status_code == 200
    if view == "redirect":
        return client.get(f"{base}{row.pk}/").status_code == 302
    raise AssertionError(view)


def table_of(label):
    views = dict(MODELS[label])
    if label != "supporters.supportertools":
        views["redirect"] = "OEVX"
    return views


@pytest.mark.slow
@pytest.mark.parametrize("label", sorted(MODELS))
def test_each_role_gets_what_the_table_says_on_every_page_of(client, mia, rows, label):
    client.force_login(mia)
    expected, seen = {}, {}
    for view, letters in table_of(label).items():
        expected[view] = letters
        seen[view] = "".join(
            letter for letter in ROLES if got(client, label, view, {**rows[letter], "letter": letter})
        )
    assert seen == expected


def custom_got(client, route, rows, letter):
    label, method, _ = CUSTOM[route]
    mark = f"zz{ROLES[letter]}zz"
    if method == "CSV":
        response = client.get("/admin/ledger/donation/export.csv")
        body = b"".join(response.streaming_content).decode() if response.status_code == 200 else ""
        return mark in body
    if method == "OFFLINE":
        response = client.get("/admin/ledger/donation/offline/")
        return response.status_code == 200 and rows[letter]["campaigns.campaign"] in response.context["form"].fields[
            "campaign"
        ].queryset
    url = "/admin/" + route.replace("<path:object_id>", str(rows[letter][label].pk))
    url = url.replace("<id>", str(rows[letter][label].pk))
    if method == "PREVIEW":
        return client.post(url, {"title": "Typed"}).status_code not in (403, 404)
    if method == "POST":
        before = Delivery.objects.count()
        return client.post(url).status_code == 302 and Delivery.objects.count() == before + 1
    return client.get(url).status_code == 200


def test_each_role_gets_what_the_table_says_on_every_custom_page(client, mia, rows):
    client.force_login(mia)
    seen = {route: "".join(letter for letter in ROLES if custom_got(client, route, rows, letter)) for route in CUSTOM}
    assert seen == {route: letters for route, (_, _, letters) in CUSTOM.items()}


def inline_got(client, parent, prefix, view, rows, letter):
    """Whether the parent's page showed this organisation's inline rows (read), or offered them as fields (write)."""
    response = client.get(f"{model_url(parent)}{rows[letter][parent].pk}/change/")
    if response.status_code != 200:
        return False
    html = response.content.decode()
    fee = FeeRate.objects.get(organization=rows[letter]["campaigns.organization"])
    shown = f"{fee.percent_bp / 100:g} %" in html or f'value="{fee.percent_bp / 100:g}"' in html
    return shown and (view == "read" or f'name="{prefix}-0-percent"' in html)


def test_each_role_gets_what_the_table_says_from_every_inline(client, mia, rows):
    client.force_login(mia)
    seen = {
        key: {
            view: "".join(letter for letter in ROLES if inline_got(client, *key, view, rows, letter)) for view in views
        }
        for key, views in INLINES.items()
    }
    assert seen == INLINES


def test_the_pages_of_no_organisation(client, mia, rows):
    client.force_login(mia)
    campaign = rows["O"]["campaigns.campaign"]
    from django.contrib.contenttypes.models import ContentType

    seen = {}
    for route in SITE:
        url = {
            "r/<path:content_type_id>/<path:object_id>/": f"r/{ContentType.objects.get_for_model(campaign).pk}/"
            f"{campaign.pk}/",
            "(?P<url>.*)$": "no-such-page/",
        }.get(route, route)
        seen[route] = client.get(f"/admin/{url}").status_code
    for app in APPS:
        seen[app] = client.get(f"/admin/{app}/").status_code
    assert seen == {**SITE, **APPS}


def action_took(client, label, action, rows, letter):
    row = rows[letter][label]
    model = type(row)
    if action in ("message_show", "name_show"):  # something to show again
        Donation.objects.filter(pk=row.pk).update(**{action.replace("_show", "_hidden"): True})
    if label == "axes.accessattempt":
        import datetime

        from django.utils import timezone

        model.objects.filter(pk=row.pk).update(attempt_time=timezone.now() - datetime.timedelta(days=30))
    mail.outbox.clear()
    data = {"action": action, "_selected_action": [row.pk], "post": "yes"}
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = client.post(model_url(label), data)
    if response.status_code == 403:
        return False
    if action == "delete_selected" or label == "axes.accessattempt":
        return not model.objects.filter(pk=row.pk).exists()
    if action in ("message_hide", "message_show"):
        return Donation.objects.get(pk=row.pk).message_hidden is (action == "message_hide")
    if action in ("name_hide", "name_show"):
        return Donation.objects.get(pk=row.pk).name_hidden is (action == "name_hide")
    return any(f"zz{ROLES[letter]}zz" in " ".join(message.to) for message in mail.outbox)


@pytest.mark.parametrize("label", sorted(MODELS))
def test_each_role_gets_what_the_table_says_from_every_action_of(client, mia, rows, label):
    """delete_selected (Django's own, on every list) as the table's delete column says, and the model's actions."""
    client.force_login(mia)
    actions = {"delete_selected": MODELS[label].get("delete", "")}
    actions.update({action: letters for (model, action), letters in ACTIONS.items() if model == label})
    if label == "supporters.supportertools":
        actions = {}  # no list, no action
    seen = {
        action: "".join(letter for letter in ROLES if action_took(client, label, action, rows, letter))
        for action in actions
    }
    assert seen == actions


def table_size():
    pages = sum(len(table_of(label)) for label in MODELS) + len(CUSTOM)
    actions = sum(1 for label in MODELS if label != "supporters.supportertools") + len(ACTIONS)
    inlines = sum(len(views) for views in INLINES.values())
    return (pages + actions + inlines) * len(ROLES) + len(SITE) + len(APPS)


def test_the_table_size_is_what_docs_say():
    """docs/security.md quotes the number of cases (URL or action × role)."""
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text()
    assert f"{table_size()} cases" in docs
