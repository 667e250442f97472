"""A review decision as a manager writes it on the pack: what, who sees it through, by when.
The service holds the rules; its refusals are placed beside the field they name."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from orgs.models import Membership
from reviews.models.decisions import DECISION_LENGTH


class DecisionForm(forms.Form):
    text = forms.CharField(
        label=_("Decision"), max_length=DECISION_LENGTH,
        widget=forms.Textarea(attrs={"rows": 2, "maxlength": DECISION_LENGTH}),
    )  # fmt: skip
    owner = forms.TypedChoiceField(label=_("Owner"), coerce=int)
    due = forms.DateField(label=_("Due"), widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, members: Iterable[Membership], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        owner: Any = self.fields["owner"]
        owner.choices = [("", "—")] + [
            (pk, m.user.get_full_name() or m.user.get_username()) for pk, m in self.members.items()
        ]

    def owner_member(self) -> Membership | None:
        return self.members.get(self.cleaned_data["owner"])

    def values(self) -> dict[str, Any]:
        """What the service takes: text, owner (a membership) and due date."""
        return {
            "text": self.cleaned_data["text"],
            "owner": self.owner_member(),
            "due": self.cleaned_data["due"],
        }

    def place(self, error: ValidationError) -> None:
        """A service's refusal beside the field it names, or at the top of the form."""
        if not hasattr(error, "error_dict"):
            self.add_error(None, error.messages)
            return
        for key, messages in error.message_dict.items():
            self.add_error(key if key in self.fields else None, messages)
