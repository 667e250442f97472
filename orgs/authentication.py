"""`Authorization: Token <key>` for the REST API, with keys from orgs.ApiToken."""

from __future__ import annotations

from datetime import timedelta
from typing import cast

from django.db import DEFAULT_DB_ALIAS
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions
from rest_framework.request import Request

from orgs.models import ApiToken, Membership, Organization, User
from orgs.services import hash_secret
from smarketing.lib.prepared import fetch_one_prepared

# Recording every use would cost a write per request; a few minutes' precision is plenty.
LAST_USED_PRECISION = timedelta(minutes=5)


# Every API call looks its token up: the ORM built this four-table query anew each time,
# which cost three times the query itself (4 ms against 1 ms here), and PostgreSQL planned
# it each time. The text is built once from the models' own columns and prepared (see
# smarketing.lib.prepared); each row becomes the same model instances.
_JOINED: list[tuple[type[Model], str]] = [
    (ApiToken, "t"), (Membership, "m"), (User, "u"), (Organization, "o"),
]  # fmt: skip
_FIELDS = [(model, [f.attname for f in model._meta.concrete_fields]) for model, _alias in _JOINED]
_COLUMNS = ", ".join(
    f'{alias}."{f.column}"' for model, alias in _JOINED for f in model._meta.concrete_fields
)
_TOKEN_SQL = (
    f"SELECT {_COLUMNS} FROM {ApiToken._meta.db_table} t"  # noqa: S608 - names from the models
    f" JOIN {Membership._meta.db_table} m ON m.id = t.membership_id"
    f" JOIN {User._meta.db_table} u ON u.id = m.user_id"
    f" JOIN {Organization._meta.db_table} o ON o.id = m.organization_id"
    " WHERE t.key_hash = %s"
)


def token_with_member(key_hash: str) -> ApiToken | None:
    """The token with this hash, its membership, user and organisation loaded, or None."""
    row = fetch_one_prepared(_TOKEN_SQL, [key_hash])
    if row is None:
        return None
    instances = []
    for model, names in _FIELDS:
        instances.append(model.from_db(DEFAULT_DB_ALIAS, names, row[: len(names)]))
        row = row[len(names) :]
    token, membership = cast(ApiToken, instances[0]), cast(Membership, instances[1])
    membership.user = cast(User, instances[2])
    membership.organization = cast(Organization, instances[3])
    token.membership = membership
    return token


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
        token = token_with_member(hash_secret(key))
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
