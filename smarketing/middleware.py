"""What the site says about caching the answers it gives signed-in people."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils.cache import patch_cache_control


class PrivateAnswersMiddleware:
    """Answers to a signed-in member (a page, an export, an API call by session or token)
    hold their organisation's data: no proxy may keep them, and no browser may either, so
    that Back after signing out on a shared computer shows nothing. An answer that sets
    its own Cache-Control keeps it; static files never get here (WhiteNoise answers
    them first, with their own long caching)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        # Read after the view: an API token authenticates inside the view, and DRF then
        # puts its user on this request.
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated and not response.has_header("Cache-Control"):
            patch_cache_control(response, private=True, no_store=True)
        return response
