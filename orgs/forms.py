from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm, UserCreationForm
from django.utils.translation import gettext_lazy as _

from orgs.models import Organization, Role, User


class OrganizationForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = ["name", "currency", "response_window_hours"]

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()


class OrganizationCreateForm(forms.ModelForm[Organization]):
    class Meta:
        model = Organization
        fields = ["name", "slug", "currency"]
        help_texts = {"slug": _("Short name used in links and commands, for example acme.")}

    def clean_currency(self) -> str:
        return str(self.cleaned_data["currency"]).strip().upper()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail"))
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)
    # The user id of a sales rep recorded by an import, whom the invitee becomes.
    claims = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Role.choices)


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=_("Token name"),
        max_length=80,
        help_text=_("Where it is used, for example 'BI export'."),
    )


class SignInForm(AuthenticationForm):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["username"].widget.attrs["autofocus"] = True


class InvitationSignUpForm(UserCreationForm[User]):
    class Meta:
        model = User
        fields = ["username", "first_name", "last_name"]
