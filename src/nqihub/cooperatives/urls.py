from django.urls import path

from .views import cooperatives, inspections, plans, standards, testing

app_name = "cooperatives"
urlpatterns = [
    path("", cooperatives.cooperative_list, name="list"),
    path("<int:pk>/", cooperatives.cooperative_detail, name="detail"),
    path("<int:pk>/edit/", cooperatives.cooperative_edit, name="edit"),
    path("<int:pk>/apply/", cooperatives.member_apply, name="apply"),
    path("<int:pk>/invite/", cooperatives.member_invite, name="invite"),
    path("members/<int:pk>/", cooperatives.member_detail, name="member-detail"),
    path("members/<int:pk>/<slug:action>/", cooperatives.member_action, name="member-action"),
    path("<int:pk>/plans/", plans.plan_list, name="plans"),
    path("plans/<int:pk>/", plans.plan_detail, name="plan-detail"),
    path("plans/<int:pk>/active/", plans.plan_active, name="plan-active"),
    path("plans/<int:pk>/checkpoints/", plans.checkpoint_add, name="checkpoint-add"),
    path("checkpoints/<int:pk>/items/", plans.item_add, name="item-add"),
    path("items/<int:pk>/delete/", plans.item_delete, name="item-delete"),
    path("<int:pk>/inspect/", inspections.inspect_start, name="inspect"),
    path("checkpoints/<int:pk>/record/", inspections.inspection_record, name="inspection-record"),
    path("<int:pk>/inspections/", inspections.inspection_list, name="inspections"),
    path("inspections/<int:pk>/", inspections.inspection_detail, name="inspection-detail"),
    path("<int:pk>/nonconformities/", inspections.nc_list, name="ncs"),
    path("nonconformities/<int:pk>/", inspections.nc_detail, name="nc-detail"),
    path("<int:pk>/testing/", testing.testing_plans, name="testing-plans"),
    path("testing/<int:pk>/", testing.testing_plan, name="testing-plan"),
    path("testing/<int:pk>/lines/", testing.testing_line_add, name="testing-line-add"),
    path(
        "testing/<int:pk>/lines/<int:line_id>/delete/",
        testing.testing_line_delete,
        name="testing-line-delete",
    ),
    path("testing/<int:pk>/lab/", testing.testing_lab, name="testing-lab"),
    path("testing/<int:pk>/order/", testing.testing_order, name="testing-order"),
    path("<int:pk>/pass-rates/", testing.pass_rates, name="pass-rates"),
    path("<int:pk>/standards/", standards.standard_add, name="standard-add"),
    path("<int:pk>/standards/<int:standard_id>/delete/", standards.standard_remove, name="standard-remove"),
    path("<int:pk>/labels/new/", standards.label_template, name="label-template-new"),
    path("<int:pk>/labels/<int:template_id>/", standards.label_template, name="label-template"),
]
