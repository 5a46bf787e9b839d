from django.urls import path

from . import views

urlpatterns = [
    path("", views.index, name="index"),
    path("invitations/<str:token>/", views.invitation_open, name="invitation"),
]
