"""The donation page, its thank-you page and Stripe's webhook."""

from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:slug>/", views.donate, name="donate"),
    path("c/<slug:slug>/thanks/", views.thanks, name="donate-thanks"),
    path("stripe/webhook/", views.stripe_webhook, name="stripe-webhook"),
]
