"""The donation page, its thank-you page, Stripe's webhook and `make demo`'s local test checkout."""

from django.urls import path

from . import demo_views, views

urlpatterns = [
    path("c/<slug:slug>/", views.donate, name="donate"),
    path("c/<slug:slug>/thanks/", views.thanks, name="donate-thanks"),
    path("c/<slug:slug>/challenge/", views.donate_challenge, name="donate-challenge"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
    # 404 unless DEBUG=1 and STRIPE_DEMO_CHECKOUT=1 without STRIPE_SECRET_KEY (fundraising/payments/demo_views.py)
    path("demo-checkout/<slug:session_id>/", demo_views.checkout_page, name="demo-checkout"),
    path("demo-checkout/<slug:session_id>/pay/", demo_views.checkout_pay, name="demo-checkout-pay"),
    path("demo-portal/<slug:session_id>/", demo_views.portal_page, name="demo-portal"),
    path("demo-portal/<slug:session_id>/card/", demo_views.portal_card_save, name="demo-portal-card"),
]
