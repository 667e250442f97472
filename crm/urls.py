from django.urls import path

from crm.views import imports, leads, records, stages

urlpatterns = [
    path("import/", imports.import_upload, name="crm-import"),
    path("import/<int:pk>/map/", imports.import_map, name="crm-import-map"),
    path("import/<int:pk>/", imports.import_job, name="crm-import-job"),
    path("import/<int:pk>/rejected.csv", imports.import_report, name="crm-import-report"),
    path("stages/", stages.stages, name="crm-stages"),
    path("stages/<slug:kind>/new/", stages.stage_create, name="crm-stage-new"),
    path("stages/<slug:kind>/<int:pk>/", stages.stage_change, name="crm-stage"),
    path("leads/duplicates/", leads.lead_duplicates, name="crm-duplicates"),
    path("leads/<int:pk>/merge/", leads.lead_merge, name="crm-lead-merge"),
    path("leads/<int:pk>/move/", leads.lead_move, name="crm-lead-move"),
    path("leads/<int:pk>/activity/", leads.lead_activity, name="crm-lead-activity"),
    path("<slug:kind>/", records.record_list, name="crm-list"),
    path("<slug:kind>/new/", records.record_form, name="crm-new"),
    path("<slug:kind>/<int:pk>/", records.record_detail, name="crm-detail"),
    path("<slug:kind>/<int:pk>/edit/", records.record_form, name="crm-edit"),
]
