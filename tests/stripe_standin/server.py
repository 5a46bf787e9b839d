"""A test-only stand-in for Stripe Checkout and webhook endpoints (localstripe has neither), served on
127.0.0.1:<free port>.

The app's real `stripe` SDK talks to it as STRIPE_API_BASE: POST /v1/checkout/sessions creates a
session (same Idempotency-Key, same session), GET /v1/checkout/sessions/<id> reads it. /pay/<id> is the
"hosted checkout page": submitting it pays through localstripe (a real PaymentIntent, confirmed with
a test card, when a localstripe URL is given), sends the signed events Stripe would send to the app's
webhook, and redirects to the success URL.

Monthly gifts (neither in localstripe): a paid subscription-mode session creates a Subscription (the
shape of Stripe's own objects, tests/stripe_standin/events.py); GET/POST/DELETE /v1/subscriptions/<id>
read, change (amount, cancel_at_period_end) and cancel it, and POST /v1/billing_portal/sessions opens
/portal/<id>, a stand-in Customer Portal page. A change queues the signed customer.subscription.updated
(or .deleted) Stripe would send; the test delivers it with `deliver_queued()`, so it can look at the
page while the change waits for Stripe's confirmation. Any other /v1/ path is proxied to localstripe."""

import html
import json
import subprocess
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import stripe

from fundraising.payments import readers
from tests.loopback import free_port
from tests.stripe_standin import events, objects

SECRET_KEY = "sk_test_standin"


def form_decode(body):
    """Stripe's form encoding (a[b][0][c]=v) back into nested dicts and lists."""
    root = {}
    for key, value in urllib.parse.parse_qsl(body, keep_blank_values=True):
        parts = key.replace("]", "").split("[")
        node = root
        for part, following in zip(parts, parts[1:] + [None], strict=True):
            if following is None:
                node[part] = value
            else:
                node = node.setdefault(part, {})
    return _listify(root)


def _listify(node):
    if not isinstance(node, dict):
        return node
    if node and all(key.isdigit() for key in node):
        return [_listify(node[key]) for key in sorted(node, key=int)]
    return {key: _listify(value) for key, value in node.items()}


class CheckoutStandIn:
    def __init__(self, *, webhook_url, webhook_secret=events.WEBHOOK_SECRET, localstripe_url=""):
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.localstripe_url = localstripe_url
        self.sessions = {}
        self.by_idempotency_key = {}
        self.deliveries = []
        self.endpoints = {}
        self.subscriptions = {}
        self.portal_sessions = {}
        self.queued = []
        self.lock = threading.Lock()
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.httpd = ThreadingHTTPServer(("127.0.0.1", self.port), self._handler())

    def __enter__(self):
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    # --- the API -------------------------------------------------------------------------------

    def session_create(self, params, idempotency_key):
        with self.lock:
            if idempotency_key and idempotency_key in self.by_idempotency_key:
                return self.sessions[self.by_idempotency_key[idempotency_key]]
            session_id = events.sid("cs_test")
            price = params["line_items"][0]["price_data"]
            # Every line is charged (the gift, and a card fees cover as a second line).
            amount = sum(int(line["price_data"]["unit_amount"]) * int(line.get("quantity", 1))
                         for line in params["line_items"])  # fmt: skip
            session = events.checkout_session(
                amount=amount,
                currency=price["currency"],
                campaign=None,
                mode=params["mode"],
                payment_status="unpaid",
                session_id=session_id,
            )
            session.update(
                metadata=params.get("metadata", {}),
                payment_intent=None,
                subscription=None,
                status="open",
                success_url=params["success_url"],
                cancel_url=params["cancel_url"],
                submit_type=params.get("submit_type"),
                client_reference_id=params.get("client_reference_id"),
                url=f"{self.url}/pay/{session_id}",
                _params=params,
            )
            self.sessions[session_id] = session
            if idempotency_key:
                self.by_idempotency_key[idempotency_key] = session_id
            return session

    def endpoint_save(self, params, endpoint_id=None):
        """POST /v1/webhook_endpoints[/<id>]: Stripe returns the secret only when it creates one."""
        with self.lock:
            if endpoint_id is None:
                endpoint_id = events.sid("we")
                self.endpoints[endpoint_id] = {
                    "id": endpoint_id, "object": "webhook_endpoint", "api_version": params.get("api_version"),
                    "application": None, "created": int(time.time()), "description": params.get("description"),
                    "livemode": False, "metadata": {}, "status": "enabled", "url": params["url"],
                    "secret": "whsec_" + events.sid("standin"),
                }  # fmt: skip
                answer = dict(self.endpoints[endpoint_id])
            else:
                endpoint = self.endpoints[endpoint_id]
                endpoint["status"] = "disabled" if params.get("disabled") == "true" else "enabled"
                answer = None
            if "enabled_events" in params:
                self.endpoints[endpoint_id]["enabled_events"] = list(params["enabled_events"])
            if answer is not None:
                answer["enabled_events"] = list(params.get("enabled_events", []))
                return answer
            return self.endpoint_public(self.endpoints[endpoint_id])

    def endpoint_public(self, endpoint):
        return {key: value for key, value in endpoint.items() if key != "secret"}

    def session_public(self, session):
        return {key: value for key, value in session.items() if not key.startswith("_")}

    # --- the hosted page -----------------------------------------------------------------------

    def session_pay(self, session_id, email):
        """What Stripe does when the donor pays: charge, send signed events, return the success URL."""
        session = self.sessions[session_id]
        params = session["_params"]
        with self.lock:
            if session["status"] == "open":
                session.update(status="complete", payment_status="paid")
                session["customer_details"]["email"] = email
                if session["mode"] == "payment":
                    metadata = (params.get("payment_intent_data") or {}).get("metadata") or {}
                    session["payment_intent"] = self.payment_intent_create(session, metadata)
                else:
                    session["customer"] = events.sid("cus")
                    session["subscription"] = events.sid("sub")
                to_send = self.session_events(session, params)
            else:
                to_send = []
        for evt in to_send:
            self.deliver(evt)
        return session["success_url"].replace("{CHECKOUT_SESSION_ID}", session_id)

    def payment_intent_create(self, session, metadata):
        if not self.localstripe_url:
            return events.sid("pi")
        client = stripe.StripeClient(SECRET_KEY, base_addresses={"api": self.localstripe_url})
        method = client.v1.payment_methods.create(
            params={
                "type": "card",
                "card": {"number": "4242424242424242", "exp_month": 12, "exp_year": 2034, "cvc": "123"},
            }  # fmt: skip
        )
        intent = client.v1.payment_intents.create(
            params={
                "amount": session["amount_total"],
                "currency": session["currency"],
                "metadata": metadata,
                "payment_method": method.id,
                "confirm": True,
            }
        )
        assert intent.status == "succeeded", intent.status
        return intent.id

    def session_events(self, session, params):
        public = self.session_public(session)
        sent = [events.event("checkout.session.completed", public)]
        if session["mode"] == "subscription":
            metadata = (params.get("subscription_data") or {}).get("metadata") or {}
            # The price's interval as the app asked for it (form-encoded params: a nested dict here).
            interval = ((params["line_items"][0]["price_data"].get("recurring")) or {}).get("interval", "month")
            invoice = events.invoice(
                amount=session["amount_total"],
                currency=session["currency"],
                campaign=metadata.get("fundraising_campaign"),
                donation=metadata.get("fundraising_donation"),
                subscription=session["subscription"],
                billing_reason="subscription_create",
                email=session["customer_details"]["email"],
                paid_at=int(time.time()),
                interval=interval,
            )
            invoice["customer"] = session["customer"]
            invoice["parent"]["subscription_details"]["metadata"] = dict(metadata)
            amounts = [int(line["price_data"]["unit_amount"]) for line in params["line_items"]]
            objects.invoice_with_lines(invoice, amounts=amounts, subscription=session["subscription"])
            subscription = events.subscription_live(
                subscription_id=session["subscription"],
                amount=amounts[0],
                currency=session["currency"],
                campaign=metadata.get("fundraising_campaign"),
                donation=metadata.get("fundraising_donation"),
                customer=session["customer"],
                interval=interval,
            )
            subscription["metadata"] = dict(metadata)
            for amount in amounts[1:]:  # one item per line, as Checkout makes them
                first = subscription["items"]["data"][0]
                price = dict(first["price"], id=events.sid("price"), product=events.sid("prod"), unit_amount=amount,
                             unit_amount_decimal=str(amount))  # fmt: skip
                subscription["items"]["data"].append(dict(first, id=events.sid("si"), price=price))
            self.subscriptions[subscription["id"]] = subscription
            sent.append(events.event("customer.subscription.created", subscription))
            sent.append(events.event("invoice.paid", invoice))
        return sent

    # --- subscriptions and the Customer Portal (monthly gifts) ----------------------------------

    def subscription_change(self, subscription_id, params):
        """POST /v1/subscriptions/<id>: a new price for the gift's item, an item deleted (with the metadata it
        leaves; Stripe refuses deleting the last one), or cancel_at_period_end."""
        with self.lock:
            subscription = self.subscriptions[subscription_id]
            for change in params.get("items") or []:
                if change.get("deleted") == "true":
                    kept = [item for item in subscription["items"]["data"] if item["id"] != change["id"]]
                    assert 0 < len(kept) < len(subscription["items"]["data"]), (change, subscription["items"])
                    subscription["items"]["data"] = kept
                    continue
                item = readers.subscription_item(subscription)
                assert change["id"] == item["id"], (change, item["id"])
                price = change["price_data"]
                assert price["product"] == item["price"]["product"], price
                # Stripe takes the new price's interval as sent: a change that left it out would make it monthly.
                recurring = dict(item["price"]["recurring"], interval=(price.get("recurring") or {}).get("interval"))
                item["price"] = dict(item["price"], id=events.sid("price"), unit_amount=int(price["unit_amount"]),
                                     unit_amount_decimal=str(price["unit_amount"]), recurring=recurring)  # fmt: skip
            if "metadata" in params:  # merged; an empty value removes the key, as Stripe does
                merged = {**subscription["metadata"], **params["metadata"]}
                subscription["metadata"] = {key: value for key, value in merged.items() if value != ""}
            if "cancel_at_period_end" in params:
                ending = params["cancel_at_period_end"] == "true"
                subscription["cancel_at_period_end"] = ending
                subscription["cancel_at"] = subscription["items"]["data"][0]["current_period_end"] if ending else None
                subscription["canceled_at"] = int(time.time()) if ending else None
            self.queued.append(events.event("customer.subscription.updated", json.loads(json.dumps(subscription))))
            return subscription

    def subscription_cancel(self, subscription_id):
        with self.lock:
            subscription = self.subscriptions[subscription_id]
            subscription.update(status="canceled", canceled_at=int(time.time()), ended_at=int(time.time()))
            self.queued.append(events.event("customer.subscription.deleted", json.loads(json.dumps(subscription))))
            return subscription

    def portal_session_create(self, params):
        session_id = events.sid("bps")
        session = {
            "id": session_id,
            "object": "billing_portal.session",
            "configuration": events.sid("bpc"),
            "created": int(time.time()),
            "customer": params["customer"],
            "flow": params.get("flow_data"),
            "livemode": False,
            "locale": params.get("locale"),
            "on_behalf_of": None,
            "return_url": params.get("return_url"),
            "url": f"{self.url}/portal/{session_id}",
        }
        self.portal_sessions[session_id] = session
        return session

    def deliver_queued(self):
        """Send the events Stripe would send after the changes made so far (signed, in order)."""
        with self.lock:
            to_send, self.queued = self.queued, []
        for evt in to_send:
            self.deliver(evt)
        return [evt["type"] for evt in to_send]

    def deliver(self, evt):
        body = json.dumps(evt)
        header = events.signature(body, secret=self.webhook_secret)
        request = urllib.request.Request(
            self.webhook_url,
            data=body.encode(),
            headers={"Content-Type": "application/json", "Stripe-Signature": header},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                self.deliveries.append((evt["type"], response.status))
        except urllib.error.HTTPError as exc:
            self.deliveries.append((evt["type"], exc.code))

    def _handler(standin):  # noqa: N805 - the handler class closes over the stand-in
        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body, content_type="application/json", headers=()):
                data = body.encode() if isinstance(body, str) else body
                self.send_response(status)
                self.send_header("Content-Type", content_type)
                self.send_header("Content-Length", str(len(data)))
                for name, value in headers:
                    self.send_header(name, value)
                self.end_headers()
                self.wfile.write(data)

            def _body(self):
                return self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()

            def do_GET(self):
                path = urllib.parse.urlparse(self.path).path
                if path.startswith("/v1/checkout/sessions/"):
                    session = standin.sessions.get(path.rsplit("/", 1)[1])
                    if session is None:
                        return self._send(404, json.dumps({"error": {"type": "invalid_request_error",
                                                                     "message": "No such session"}}))  # fmt: skip
                    return self._send(200, json.dumps(standin.session_public(session)))
                if path.startswith("/pay/"):
                    return self._page(path.rsplit("/", 1)[1])
                if path == "/v1/webhook_endpoints":
                    data = [standin.endpoint_public(e) for e in standin.endpoints.values()]
                    return self._send(200, json.dumps({"object": "list", "data": data, "has_more": False}))
                if path.startswith("/v1/subscriptions/"):
                    subscription = standin.subscriptions.get(path.rsplit("/", 1)[1])
                    if subscription is None:
                        return self._send(404, json.dumps({"error": {"type": "invalid_request_error",
                                                                     "message": "No such subscription"}}))  # fmt: skip
                    return self._send(200, json.dumps(subscription))
                if path.startswith("/portal/"):
                    return self._portal(path.rsplit("/", 1)[1])
                return self._proxy("GET", "")

            def do_DELETE(self):
                path = urllib.parse.urlparse(self.path).path
                subscription_id = path.rsplit("/", 1)[1]
                if path.startswith("/v1/subscriptions/") and subscription_id in standin.subscriptions:
                    return self._send(200, json.dumps(standin.subscription_cancel(subscription_id)))
                return self._send(404, json.dumps({"error": {"message": "not in the stand-in"}}))

            def do_POST(self):
                path = urllib.parse.urlparse(self.path).path
                body = self._body()
                if path == "/v1/checkout/sessions":
                    session = standin.session_create(form_decode(body), self.headers.get("Idempotency-Key"))
                    return self._send(200, json.dumps(standin.session_public(session)))
                if path == "/v1/webhook_endpoints":
                    return self._send(200, json.dumps(standin.endpoint_save(form_decode(body))))
                if path.startswith("/v1/webhook_endpoints/"):
                    endpoint_id = path.rsplit("/", 1)[1]
                    if endpoint_id not in standin.endpoints:
                        missing = {"type": "invalid_request_error", "message": "No such webhook endpoint"}
                        return self._send(404, json.dumps({"error": missing}))
                    return self._send(200, json.dumps(standin.endpoint_save(form_decode(body), endpoint_id)))
                if path.startswith("/v1/subscriptions/") and path.rsplit("/", 1)[1] in standin.subscriptions:
                    changed = standin.subscription_change(path.rsplit("/", 1)[1], form_decode(body))
                    return self._send(200, json.dumps(changed))
                if path == "/v1/billing_portal/sessions":
                    return self._send(200, json.dumps(standin.portal_session_create(form_decode(body))))
                if path.startswith("/portal/"):
                    session = standin.portal_sessions.get(path.rsplit("/", 1)[1])
                    if session is None:
                        return self._send(404, "no such session", "text/plain")
                    return self._send(303, "", "text/plain", [("Location", session["return_url"])])
                if path.startswith("/pay/"):
                    form = dict(urllib.parse.parse_qsl(body))
                    target = standin.session_pay(path.rsplit("/", 1)[1], form.get("email", "donor@example.com"))
                    return self._send(303, "", "text/plain", [("Location", target)])
                return self._proxy("POST", body)

            def _page(self, session_id):
                session = standin.sessions.get(session_id)
                if session is None:
                    return self._send(404, "no such session", "text/plain")
                amount = f"{session['amount_total']} {session['currency'].upper()} (minor units)"
                every = " every month" if session["mode"] == "subscription" else ""
                page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Test checkout</title></head>
<body style="font-family:system-ui;max-width:28rem;margin:3rem auto">
<h1>Test checkout</h1><p>Pay <strong id="amount">{html.escape(amount)}</strong>{every}.</p>
<form method="post"><label>E-mail <input name="email" type="email" value="donor@example.com"></label>
<button type="submit" id="pay">Pay</button></form>
<p><a href="{html.escape(session["cancel_url"])}">Cancel</a></p></body></html>"""
                return self._send(200, page, "text/html; charset=utf-8")

            def _portal(self, session_id):
                session = standin.portal_sessions.get(session_id)
                if session is None:
                    return self._send(404, "no such session", "text/plain")
                flow = (session.get("flow") or {}).get("type", "")
                page = f"""<!doctype html><html lang="en"><head><meta charset="utf-8">
<title>Test customer portal</title></head>
<body style="font-family:system-ui;max-width:28rem;margin:3rem auto">
<h1>Test customer portal</h1><p>Flow: <strong id="flow">{html.escape(flow)}</strong></p>
<form method="post"><label>Card number <input name="card" value="4242 4242 4242 4242"></label>
<button type="submit" id="save">Save card</button></form></body></html>"""
                return self._send(200, page, "text/html; charset=utf-8")

            def _proxy(self, method, body):
                if not standin.localstripe_url:
                    return self._send(404, json.dumps({"error": {"message": "not in the stand-in"}}))
                request = urllib.request.Request(
                    standin.localstripe_url + self.path,
                    data=body.encode() if method == "POST" else None,
                    headers={
                        "Authorization": self.headers.get("Authorization", ""),
                        "Content-Type": "application/x-www-form-urlencoded",
                    },  # fmt: skip
                    method=method,
                )
                try:
                    with urllib.request.urlopen(request, timeout=30) as response:  # noqa: S310
                        return self._send(response.status, response.read())
                except urllib.error.HTTPError as exc:
                    return self._send(exc.code, exc.read())

        return Handler


class LocalStripe:
    """`localstripe --port N --from-scratch` on a free port, stopped on exit (bounded waits)."""

    def __init__(self, executable):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen(
            [executable, "--port", str(self.port), "--from-scratch"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )

    def __enter__(self):
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"{self.url}/v1/customers", timeout=1)  # noqa: S310
            except urllib.error.HTTPError:
                return self  # answering, even if only "no API key"
            except OSError:
                if self.process.poll() is not None:
                    raise RuntimeError("localstripe exited at start") from None
                time.sleep(0.1)
            else:
                return self
        self.__exit__()
        raise RuntimeError("localstripe did not start within 20 s")

    def __exit__(self, *exc):
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=10)

    def webhook_register(self, *, url, secret):
        data = urllib.parse.urlencode([("url", url), ("secret", secret)])
        request = urllib.request.Request(f"{self.url}/_config/webhooks/app", data=data.encode(), method="POST")
        request.add_header("Authorization", f"Bearer {SECRET_KEY}")
        urllib.request.urlopen(request, timeout=10).close()  # noqa: S310
