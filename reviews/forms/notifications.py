"""The forms of the reviews pages."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from reviews.models import Preferences, Topic


class PreferencesForm(forms.Form):
    """Per topic, in the app and by e-mail; the weekly digest; the language of e-mails."""

    in_app = forms.MultipleChoiceField(
        label=_("In the app"), choices=Topic.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    by_email = forms.MultipleChoiceField(
        label=_("By e-mail"), choices=Topic.choices, required=False,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    weekly_digest = forms.BooleanField(
        label=_("Send me the weekly digest on Monday mornings"), required=False
    )
    language = forms.ChoiceField(label=_("Language of my e-mails"), choices=settings.LANGUAGES)

    @classmethod
    def of(cls, preferences: Preferences, data: Any = None) -> PreferencesForm:
        return cls(data, initial={
            "in_app": preferences.in_app, "by_email": preferences.by_email,
            "weekly_digest": preferences.weekly_digest, "language": preferences.language,
        })  # fmt: skip
