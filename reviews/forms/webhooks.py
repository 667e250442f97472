"""The webhook pages' form: an endpoint's URL, the events it hears of, and what it is for."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from reviews.addresses import MAX_URL_LENGTH
from reviews.models import WebhookEndpoint, WebhookEvent
from reviews.models.webhooks import validate_webhook_url


class EndpointForm(forms.Form):
    url = forms.CharField(
        label=_("URL"),
        max_length=MAX_URL_LENGTH,
        # A text input typed as a URL: the page's own checks answer, beside the field.
        widget=forms.TextInput(
            attrs={"placeholder": "https://", "autocomplete": "off", "inputmode": "url"}
        ),
        help_text=_("Where the other tool listens: http:// or https://, a public address."),
    )
    events = forms.MultipleChoiceField(
        label=_("Events"),
        choices=WebhookEvent.choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one event.")},
    )
    description = forms.CharField(
        label=_("Description"),
        max_length=200,
        required=False,
        help_text=_("What listens there, for example 'BI refresh'."),
    )

    def clean_url(self) -> str:
        url = str(self.cleaned_data["url"]).strip()
        validate_webhook_url(url)
        return url

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> EndpointForm:
        return cls(initial={"url": endpoint.url, "events": endpoint.events,
                            "description": endpoint.description})  # fmt: skip

    def place(self, error: ValidationError) -> None:
        """Show a refusal of the service beside the field it names (else above the form)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.error_dict.items():
                self.add_error(field if field in self.fields else None, errors)
        else:
            self.add_error(None, error)
