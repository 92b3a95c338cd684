from django.urls import path

from . import views

app_name = "cooperatives"
urlpatterns = [
    path("", views.cooperative_list, name="list"),
    path("<int:pk>/", views.cooperative_detail, name="detail"),
    path("<int:pk>/edit/", views.cooperative_edit, name="edit"),
    path("<int:pk>/apply/", views.member_apply, name="apply"),
    path("<int:pk>/invite/", views.member_invite, name="invite"),
    path("members/<int:pk>/", views.member_detail, name="member-detail"),
    path("members/<int:pk>/<slug:action>/", views.member_action, name="member-action"),
    path("<int:pk>/plans/", views.plan_list, name="plans"),
    path("plans/<int:pk>/", views.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/active/", views.plan_active, name="plan-active"),
    path("plans/<int:pk>/checkpoints/", views.checkpoint_add, name="checkpoint-add"),
    path("checkpoints/<int:pk>/items/", views.item_add, name="item-add"),
    path("items/<int:pk>/delete/", views.item_delete, name="item-delete"),
    path("<int:pk>/inspect/", views.inspect_start, name="inspect"),
    path("checkpoints/<int:pk>/record/", views.inspection_record, name="inspection-record"),
    path("<int:pk>/inspections/", views.inspection_list, name="inspections"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection-detail"),
    path("<int:pk>/nonconformities/", views.nc_list, name="ncs"),
    path("nonconformities/<int:pk>/", views.nc_detail, name="nc-detail"),
    path("<int:pk>/testing/", views.testing_plans, name="testing-plans"),
    path("testing/<int:pk>/", views.testing_plan, name="testing-plan"),
    path("testing/<int:pk>/lines/", views.testing_line_add, name="testing-line-add"),
    path(
        "testing/<int:pk>/lines/<int:line_id>/delete/", views.testing_line_delete, name="testing-line-delete"
    ),
    path("testing/<int:pk>/lab/", views.testing_lab, name="testing-lab"),
    path("testing/<int:pk>/order/", views.testing_order, name="testing-order"),
    path("<int:pk>/pass-rates/", views.pass_rates, name="pass-rates"),
    path("<int:pk>/standards/", views.standard_add, name="standard-add"),
    path("<int:pk>/standards/<int:standard_id>/delete/", views.standard_remove, name="standard-remove"),
    path("<int:pk>/labels/new/", views.label_template, name="label-template-new"),
    path("<int:pk>/labels/<int:template_id>/", views.label_template, name="label-template"),
]
