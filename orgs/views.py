"""Pages of the orgs app: organisation settings and switcher, members, invitations,
API tokens. Each view authorises, validates, calls one service and responds."""

from __future__ import annotations

from typing import cast

from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.forms import BaseForm
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from orgs import selectors, services
from orgs.forms import (
    ApiTokenForm,
    InvitationForm,
    InvitationSignUpForm,
    MemberRoleForm,
    OrganizationCreateForm,
    OrganizationForm,
)
from orgs.middleware import SESSION_KEY
from orgs.models import ApiToken, Invitation, Membership, User
from orgs.permissions import Action, can
from orgs.tenancy import MemberRequest, SignedInRequest, member_required
from smarketing.lib import page_sections


def _add_errors(form: BaseForm, error: ValidationError) -> None:
    """Show a service's ValidationError on the form: on its field where the form has one."""
    if not hasattr(error, "error_dict"):
        form.add_error(None, error.messages)
        return
    for field, messages_ in error.message_dict.items():
        form.add_error(field if field in form.fields else None, messages_)


@login_required
@require_http_methods(["GET", "POST"])
def no_organization(request: SignedInRequest) -> HttpResponse:
    if request.membership is not None and request.method == "GET":
        return redirect("home")
    return organization_create(request)


@login_required
@require_http_methods(["GET", "POST"])
def organization_create(request: SignedInRequest) -> HttpResponse:
    form = OrganizationCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        organization = services.organization_create(
            slug=form.cleaned_data["slug"],
            name=form.cleaned_data["name"],
            currency=form.cleaned_data["currency"],
            admin=request.user,
        )
        request.session[SESSION_KEY] = organization.pk
        messages.success(request, _("Organisation %(name)s created.") % {"name": organization.name})
        return redirect("home")
    return render(request, "orgs/organization_create.html", {"form": form})


@login_required
@require_POST
def organization_switch(request: SignedInRequest) -> HttpResponse:
    chosen = (
        selectors.memberships_of_user(request.user)
        .filter(organization__slug=request.POST.get("organization", ""))
        .first()
    )
    if chosen is None:
        messages.error(request, _("You are not a member of that organisation."))
    else:
        request.session[SESSION_KEY] = chosen.organization_id
        messages.success(
            request, _("Now working in %(name)s.") % {"name": chosen.organization.name}
        )
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        target = "home"
    return redirect(target)


@login_required
@require_GET
def organization_go(request: SignedInRequest, slug: str) -> HttpResponse:
    """Work in the organisation `slug` and go to `?next=` (a path in the app): the links in
    e-mails, so that a member of two organisations lands in the one the e-mail is about.
    Another organisation's slug answers 404."""
    chosen = get_object_or_404(selectors.memberships_of_user(request.user), organization__slug=slug)
    request.session[SESSION_KEY] = chosen.organization_id
    target = request.GET.get("next", "")
    if not target.startswith("/") or not url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        target = "home"
    return redirect(target)


@require_http_methods(["GET", "POST"])
@member_required(Action.EDIT_ORGANIZATION)
def organization_settings(request: MemberRequest) -> HttpResponse:
    form = OrganizationForm(request.POST or None, instance=request.organization)
    if request.method == "POST" and form.is_valid():
        services.organization_update(
            organization=request.organization,
            name=form.cleaned_data["name"],
            currency=form.cleaned_data["currency"],
            response_window_hours=form.cleaned_data["response_window_hours"],
        )
        messages.success(request, _("Organisation settings saved."))
        return redirect("organization-settings")
    # What apps above add here (the SLA's window, when an agreement is in force).
    sections = page_sections.rendered("organization-settings", request)
    return render(request, "orgs/organization_settings.html", {"form": form, "sections": sections})


@require_GET
@member_required()
def members(request: MemberRequest) -> HttpResponse:
    organization = request.organization
    can_manage = can(request.membership.role, Action.MANAGE_MEMBERS)
    context = {
        "members": selectors.members_of(organization),
        "invitations": selectors.pending_invitations(organization) if can_manage else [],
        "can_manage": can_manage,
        "invite_form": InvitationForm(),
        "role_form": MemberRoleForm(),
    }
    return render(request, "orgs/members.html", context)


@require_POST
@member_required(Action.MANAGE_MEMBERS)
def member_role(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.for_org(request.organization), pk=pk)
    form = MemberRoleForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose a valid role."))
    else:
        try:
            services.membership_change_role(membership=membership, role=form.cleaned_data["role"])
            messages.success(request, _("Role of %(user)s changed.") % {"user": membership.user})
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
    return redirect("members")


@require_POST
@member_required(Action.MANAGE_MEMBERS)
def member_remove(request: MemberRequest, pk: int) -> HttpResponse:
    membership = get_object_or_404(Membership.objects.for_org(request.organization), pk=pk)
    try:
        services.membership_remove(membership=membership)
        messages.success(request, _("%(user)s was removed.") % {"user": membership.user})
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect("members")


@require_POST
@member_required(Action.MANAGE_MEMBERS)
def invitation_create(request: MemberRequest) -> HttpResponse:
    form = InvitationForm(request.POST)
    if form.is_valid():
        try:
            invitation = services.invitation_create(
                organization=request.organization,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                site_url=request.build_absolute_uri("/"),
                claims=form.cleaned_data.get("claims"),
            )
            messages.success(
                request, _("Invitation sent to %(email)s.") % {"email": invitation.email}
            )
            return redirect("members")
        except ValidationError as error:
            _add_errors(form, error)
    for field_errors in form.errors.values():
        messages.error(request, " ".join(str(error) for error in field_errors))
    return redirect("members")


@require_POST
@member_required(Action.MANAGE_MEMBERS)
def invitation_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    invitation = get_object_or_404(Invitation.objects.for_org(request.organization), pk=pk)
    services.invitation_revoke(invitation=invitation)
    messages.success(request, _("Invitation to %(email)s revoked.") % {"email": invitation.email})
    return redirect("members")


@require_http_methods(["GET", "POST"])
def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    try:
        invitation = services.invitation_find(token=token, now=timezone.now())
    except ValidationError as error:
        return _invitation_invalid(request, error)
    form = None if request.user.is_authenticated else InvitationSignUpForm(request.POST or None)
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            membership = _accept(request, token, form)
        except ValidationError as error:
            if form is None:
                return _invitation_invalid(request, error)
            _add_errors(form, error)
        else:
            request.session[SESSION_KEY] = membership.organization_id
            messages.success(
                request, _("Welcome to %(org)s.") % {"org": membership.organization.name}
            )
            return redirect("home")
    return render(request, "orgs/invitation_accept.html", {"invitation": invitation, "form": form})


def _accept(request: HttpRequest, token: str, form: InvitationSignUpForm | None) -> Membership:
    if form is None:
        return services.invitation_accept(token=token, user=cast(User, request.user))
    membership = services.invitation_sign_up(
        token=token,
        username=form.cleaned_data["username"],
        password=form.cleaned_data["password1"],
        first_name=form.cleaned_data["first_name"],
        last_name=form.cleaned_data["last_name"],
    )
    login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
    return membership


def _invitation_invalid(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return render(
        request, "orgs/invitation_invalid.html", {"reason": error.messages[0]}, status=410
    )


@require_http_methods(["GET", "POST"])
@member_required(Action.MANAGE_OWN_TOKENS)
def api_tokens(request: MemberRequest) -> HttpResponse:
    membership = request.membership
    form = ApiTokenForm(request.POST or None)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.api_token_create(
            membership=membership, name=form.cleaned_data["name"]
        )
        form = ApiTokenForm()
    context = {"form": form, "tokens": selectors.tokens_of(membership), "new_key": new_key}
    return render(request, "orgs/api_tokens.html", context)


@require_POST
@member_required(Action.MANAGE_OWN_TOKENS)
def api_token_revoke(request: MemberRequest, pk: int) -> HttpResponse:
    # Only the member's own tokens in this organisation can be found, let alone revoked.
    token = get_object_or_404(
        ApiToken.objects.for_org(request.organization).filter(membership=request.membership),
        pk=pk,
    )
    services.api_token_revoke(token=token)
    messages.success(request, _("Token %(name)s revoked.") % {"name": token.name})
    return redirect("api-tokens")
