"""CRM records: channels, campaigns, companies, leads and their stage history, deals,
activities, and the imports that bring them in. One module a part; import them from here."""

from crm.models.changed_cells import ChangedCell, ChangedConversion, ChangedLead
from crm.models.fields import BOUNDED, DUPLICATE_ID, MONEY_DIGITS, MONEY_PLACES, money_field
from crm.models.imports import ImportJob, ImportPreset
from crm.models.records import (
    Activity,
    Campaign,
    Channel,
    Company,
    Deal,
    Lead,
    LeadStageChange,
)
from crm.models.stages import LifecycleStage, PipelineStage

__all__ = [
    "BOUNDED",
    "DUPLICATE_ID",
    "MONEY_DIGITS",
    "MONEY_PLACES",
    "Activity",
    "Campaign",
    "ChangedCell",
    "ChangedConversion",
    "ChangedLead",
    "Channel",
    "Company",
    "Deal",
    "ImportJob",
    "ImportPreset",
    "Lead",
    "LeadStageChange",
    "LifecycleStage",
    "PipelineStage",
    "money_field",
]
