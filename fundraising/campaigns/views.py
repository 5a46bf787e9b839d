"""Public pages that belong to no other app."""

from django.contrib import admin
from django.contrib.auth import login
from django.contrib.auth.forms import UserCreationForm
from django.db import transaction
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import invitations


def _invitation_page(request, context, status=200):
    """In the admin's look (its header and themes need the admin site's context): new members enter there."""
    return render(request, "fundraising/invitation.html", {**admin.site.each_context(request), **context},
                  status=status)  # fmt: skip


@require_http_methods(["GET", "HEAD", "POST"])
def invitation_open(request, token):
    """Accept an invitation signed in, or by creating an account here (its e-mail is the invited one)."""
    try:
        invitation = invitations.invitation_from_token(token)
    except invitations.InvitationInvalid as exc:
        return _invitation_page(request, {"problem": str(exc)}, status=400)
    if request.user.is_authenticated:
        try:
            invitations.invitation_for_user(invitation=invitation, user=request.user)
        except invitations.InvitationNotYours as exc:
            return _invitation_page(request, {"problem": str(exc)}, status=403)
    signing_up = request.method == "POST" and not request.user.is_authenticated
    form = UserCreationForm(request.POST if signing_up else None)
    if request.method != "POST":
        return _invitation_page(request, {"invitation": invitation, "form": form})
    if signing_up and not form.is_valid():
        return _invitation_page(request, {"invitation": invitation, "form": form}, status=400)
    try:
        with transaction.atomic():
            user = request.user
            if signing_up:
                user = form.save(commit=False)
                user.email = invitation.email
                user.save()
            invitations.invitation_accept(token=token, user=user)
    except invitations.InvitationNotYours as exc:
        return _invitation_page(request, {"problem": str(exc)}, status=403)
    except invitations.InvitationInvalid as exc:
        return _invitation_page(request, {"problem": str(exc)}, status=400)
    if signing_up:
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    return redirect("/admin/")
