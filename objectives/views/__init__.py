"""The objectives' pages: the joint scorecard and its export, the editor with its live
SMART check, an objective's page with its split and delete buttons."""

from objectives.views.detail import objective_delete_view, objective_detail, objective_split_view
from objectives.views.editor import objective_check_view, objective_edit
from objectives.views.scorecard import objective_export, objective_from_plan, objective_list

__all__ = [
    "objective_check_view",
    "objective_delete_view",
    "objective_detail",
    "objective_edit",
    "objective_export",
    "objective_from_plan",
    "objective_list",
    "objective_split_view",
]
