"""The pulse's forms: a member's answers (five statements on the 1 to 5 scale, and a
comment), and the cadence a manager chooses."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models import Cadence
from reviews.pulse import COMMENT_LENGTH, SCALE, STATEMENTS


class PulseAnswerForm(forms.Form):
    comment = forms.CharField(
        label=_("Anything to add? (optional, anonymous)"),
        required=False,
        max_length=COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": COMMENT_LENGTH}),
        help_text=_("At most 1,000 characters. Shown only with your team's results."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        scale = [(value, f"{value} · {label}") for value, label in SCALE.items()]
        statements = {
            code: forms.TypedChoiceField(
                label=text,
                choices=scale,
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={"required": _("Choose how much you agree, from 1 to 5.")},
            )
            for code, text in STATEMENTS.items()
        }
        self.fields = {**statements, "comment": self.fields["comment"]}

    def scores(self) -> dict[str, int]:
        return {code: self.cleaned_data[code] for code in STATEMENTS}

    def statements(self) -> list[forms.BoundField]:
        return [self[code] for code in STATEMENTS]


class PulseCadenceForm(forms.Form):
    cadence = forms.ChoiceField(label=_("The pulse opens"), choices=Cadence.choices)
