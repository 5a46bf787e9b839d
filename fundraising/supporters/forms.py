from django import forms
from django.utils.translation import gettext_lazy


class ManageRequestForm(forms.Form):
    email = forms.EmailField(max_length=254, label=gettext_lazy("Your e-mail address"))
