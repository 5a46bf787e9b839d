"""Test-only Stripe stand-ins: realistic event payloads, signed webhook posts, and (server.py) a tiny
Checkout Session server. Nothing here ships in the product."""
