"""Public widget paths (docs/widgets.md): /w/<slug>.json, /w/<slug>.svg and the iframe page /w/<slug>/."""

from django.urls import path

from . import views

urlpatterns = [
    path("w/<slug:slug>.json", views.widget_json, name="widget_json"),
    path("w/<slug:slug>.svg", views.widget_svg, name="widget_svg"),
    path("w/<slug:slug>/", views.widget_page, name="widget_page"),
]
