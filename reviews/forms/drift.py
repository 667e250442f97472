"""The window of days an organisation measures its plans' drift over."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from reviews.models.drift import MAX_WINDOW_DAYS, MIN_WINDOW_DAYS


class DriftSettingsForm(forms.Form):
    window_days = forms.IntegerField(
        label=_("Window in days"),
        min_value=MIN_WINDOW_DAYS,
        max_value=MAX_WINDOW_DAYS,
        help_text=_("The latest cohorts measured: leads that entered a stage in these many days."),
    )
