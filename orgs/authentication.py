"""`Authorization: Token <key>` for the REST API, with keys from orgs.ApiToken."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from orgs.models import ApiToken, User
from orgs.services import hash_secret

# Recording every use would cost a write per request; a few minutes' precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=5)


class ApiTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Token"

    def authenticate(self, request: Request) -> tuple[User, ApiToken] | None:
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header: use 'Token <key>'."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        return self._authenticate_key(key)

    def _authenticate_key(self, key: str) -> tuple[User, ApiToken]:
        token = (
            ApiToken.objects.select_related("membership__user", "membership__organization")
            .filter(key_hash=hash_secret(key))
            .first()
        )
        if token is None or token.revoked_at is not None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        user = token.membership.user
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("This user is inactive."))
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        return user, token

    def authenticate_header(self, request: Request) -> str:
        return self.keyword
