"""The objectives' pages."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render

from objectives.selectors import objectives_of
from orgs.tenancy import MemberRequest, member_required


@member_required()
def objective_list(request: MemberRequest) -> HttpResponse:
    objectives = objectives_of(request.organization)
    return render(request, "objectives/list.html", {"objectives": objectives})
