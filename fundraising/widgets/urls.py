"""Public widget paths (docs/widgets.md): /w/<slug>.json, /w/<slug>.svg, the iframe page
/w/<slug>/, the supporters wall /w/<slug>/supporters.json, the script /w/<slug>.js (embed.js with the JSON in it), and
the printable poster /c/<slug>/poster/."""

from django.urls import path

from . import landing, views

urlpatterns = [
    path("", landing.landing, name="index"),  # the active campaigns with their bars
    path("w/<slug:slug>.json", views.widget_json, name="widget_json"),
    path("w/<slug:slug>.js", views.widget_script, name="widget_script"),
    path("w/<slug:slug>.svg", views.widget_svg, name="widget_svg"),
    path("w/<slug:slug>/", views.widget_page, name="widget_page"),
    path("w/<slug:slug>/supporters.json", views.widget_supporters, name="widget_supporters"),
    path("c/<slug:slug>/poster/", views.campaign_poster, name="campaign_poster"),
]
