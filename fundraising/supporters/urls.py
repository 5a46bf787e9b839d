"""A supporter's pages under /c/<slug>/manage/ (docs/urls.md)."""

from django.urls import path

from . import views

urlpatterns = [
    path("c/<slug:slug>/manage/", views.manage_request, name="manage-request"),
    path("c/<slug:slug>/manage/<str:token>/", views.manage, name="manage"),
    path("c/<slug:slug>/manage/<str:token>/gift/<str:subscription_id>/", views.gift_change, name="manage-gift"),
    path("c/<slug:slug>/manage/<str:token>/statement/<int:year>/", views.statement, name="manage-statement"),
]
