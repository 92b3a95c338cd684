import io

import pytest
from django.urls import reverse

from nqihub.testing import services
from nqihub.testing.models import TestOrder

pytestmark = pytest.mark.django_db


@pytest.fixture
def issued(make_order, advance):
    return advance(make_order(), "issued")


def _routes(order, report):
    item = order.items.first()
    sample = order.samples.first()
    return {
        "get": [
            reverse("testing:order-detail", args=[order.pk]),
            reverse("testing:report-pdf", args=[report.pk]),
            reverse("testing:results-template", args=[order.pk]),
        ],
        "post": [
            reverse("testing:order-action", args=[order.pk, "cancel"]),
            reverse("testing:order-action", args=[order.pk, "revise"]),
            reverse("testing:sample-add", args=[order.pk]),
            reverse("testing:photo-add", args=[order.pk, sample.pk]),
            reverse("testing:item-add", args=[order.pk]),
            reverse("testing:item-edit", args=[order.pk, item.pk]),
            reverse("testing:item-remove", args=[order.pk, item.pk]),
            reverse("testing:items-from-standard", args=[order.pk]),
            reverse("testing:results-save", args=[order.pk]),
            reverse("testing:results-upload", args=[order.pk]),
        ],
    }


@pytest.mark.parametrize("outsider", ["ent_yuese", "ent_hanxi", "station_wh", "coop_haimen"])
def test_outsiders_get_404_on_every_order_route(client_for, issued, outsider):
    client = client_for(outsider)
    routes = _routes(issued, issued.reports.get())
    for url in routes["get"]:
        assert client.get(url).status_code == 404, url
    for url in routes["post"]:
        assert client.post(url, {"reason": "x"}).status_code == 404, url
    listing = client.get(reverse("testing:order-list"))
    assert listing.status_code == 200
    assert issued.number not in listing.content.decode()
    rates = client.get(reverse("testing:pass-rates"), {"group_by": "enterprise"})
    assert "善元食品" not in rates.content.decode()


def test_the_lab_does_not_see_a_draft(client_for, make_order):
    draft = make_order(submit=False)
    assert client_for("lab_lz").get(reverse("testing:order-detail", args=[draft.pk])).status_code == 404
    assert client_for("ent_shanyuan").get(reverse("testing:order-detail", args=[draft.pk])).status_code == 200


@pytest.mark.parametrize(
    "user", ["ent_shanyuan", "lab_lz", "reg_lz", "reg_chengzhong", "station_lz", "reg_national"]
)
def test_who_sees_the_order(client_for, issued, user):
    response = client_for(user).get(reverse("testing:order-detail", args=[issued.pk]))
    expected = 404 if user == "reg_chengzhong" else 200  # 城中区 (450202) does not regulate 柳南区 (450204)
    assert response.status_code == expected


def test_order_list_filters_by_status(client_for, make_order, advance):
    issued = advance(make_order(), "issued")
    waiting = make_order()
    client = client_for("lab_lz")
    page = client.get(reverse("testing:order-list"), {"status": "issued"}).content.decode()
    assert issued.number in page and waiting.number not in page
    body = client.get(
        reverse("testing:order-list"),
        {"status": "submitted"},
        headers={"HX-Request": "true", "HX-Target": "list-body"},
    ).content.decode()
    assert waiting.number in body and "<html" not in body


def test_enterprise_creates_an_order_with_the_form(client_for, lab, shanyuan):
    client = client_for("ent_shanyuan")
    page = client.get(reverse("testing:order-create"))
    assert page.status_code == 200 and "委托检测" in page.content.decode()
    response = client.post(
        reverse("testing:order-create"),
        {
            "enterprise": shanyuan.pk,
            "product_name": "预包装柳州螺蛳粉",
            "test_kind": "commissioned",
            "lab": lab.pk,
            "batch": "B9",
            "submit_now": "on",
            "item-0-parameter": "水分",
            "item-0-method_standard": "GB 5009.3-2016",
            "item-0-requirement": "≤14.5",
            "item-0-unit": "g/100g",
        },
    )
    order = TestOrder.objects.filter(enterprise=shanyuan).order_by("-pk").first()
    assert response.status_code == 302 and response.url == reverse("testing:order-detail", args=[order.pk])
    assert order.status == "submitted" and order.samples.get().batch == "B9"


def test_the_form_answers_bad_input_with_messages_and_creates_nothing(client_for, lab, shanyuan):
    from nqihub.directory.models import Institution

    textile = Institution.objects.get(name="南宁纺织品检测实验室（示例）")
    client = client_for("ent_shanyuan")
    before = TestOrder.objects.count()
    response = client.post(
        reverse("testing:order-create"),
        {
            "enterprise": shanyuan.pk,
            "product_name": "螺蛳粉",
            "test_kind": "commissioned",
            "lab": textile.pk,
            "item-0-parameter": "水分",
        },
    )
    assert response.status_code == 422
    assert "能力范围不包括" in response.content.decode()
    response = client.post(
        reverse("testing:order-create"),
        {"enterprise": shanyuan.pk, "product_name": "螺蛳粉", "test_kind": "commissioned", "lab": lab.pk},
    )
    assert response.status_code == 422 and "请至少添加一个检测项目" in response.content.decode()
    assert TestOrder.objects.count() == before


def test_lab_suggestions_mark_labs_covering_every_item(client_for, lab, shanyuan):
    response = client_for("ent_shanyuan").get(
        reverse("testing:suggest-labs"),
        {"enterprise": shanyuan.pk, "item-0-parameter": "水分", "item-1-parameter": "大肠菌群"},
    )
    html = response.content.decode()
    assert lab.name in html and "覆盖全部项目" in html


def test_lab_walks_the_order_through_sign_off_on_the_page(client_for, make_order, users):
    order = make_order()
    lab = client_for("lab_lz")
    detail = lab.get(reverse("testing:order-detail", args=[order.pk])).content.decode()
    assert 'data-action="receive"' in detail and 'data-action="reject"' in detail
    lab.post(
        reverse("testing:order-action", args=[order.pk, "receive"]),
        {"received_on": "2026-01-05", "condition": "完好"},
    )
    order.refresh_from_db()
    assert order.status == "sample_received"
    results = {f"result-{i.pk}": "1" for i in order.items.all()}
    lab.post(reverse("testing:results-save", args=[order.pk]), results)
    lab.post(reverse("testing:order-action", args=[order.pk, "complete"]))
    # The tester cannot review; the page does not offer it, and a forged POST is refused.
    assert lab.post(reverse("testing:order-action", args=[order.pk, "review"])).status_code == 403
    client_for("lab_lz_review").post(reverse("testing:order-action", args=[order.pk, "review"]))
    approver = client_for("lab_lz_approve")
    approver.post(reverse("testing:order-action", args=[order.pk, "approve"]))
    response = approver.post(reverse("testing:order-action", args=[order.pk, "issue"]), follow=True)
    order.refresh_from_db()
    assert order.status == "issued"
    report = order.reports.get()
    assert report.number in response.content.decode()
    pdf = client_for("ent_shanyuan").get(reverse("testing:report-pdf", args=[report.pk]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")


def test_illegal_action_shows_a_message_and_changes_nothing(client_for, issued):
    response = client_for("lab_lz_approve").post(
        reverse("testing:order-action", args=[issued.pk, "approve"]), follow=True
    )
    assert "不能批准" in response.content.decode()
    issued.refresh_from_db()
    assert issued.status == "issued"


def test_unknown_action_is_404_and_a_bad_receive_form_a_message(client_for, make_order):
    order = make_order()
    lab = client_for("lab_lz")
    assert lab.post(reverse("testing:order-action", args=[order.pk, "explode"])).status_code == 404
    response = lab.post(
        reverse("testing:order-action", args=[order.pk, "receive"]), {"received_on": "x"}, follow=True
    )
    assert response.status_code == 200
    order.refresh_from_db()
    assert order.status == "submitted"


def test_results_upload_via_xlsx(client_for, make_order, advance):
    from nqihub.testing.results_xlsx import results_template_xlsx

    order = advance(make_order(), "sample_received")
    client = client_for("lab_lz")
    template = client.get(reverse("testing:results-template", args=[order.pk]))
    assert template.status_code == 200
    import openpyxl

    wb = openpyxl.load_workbook(io.BytesIO(template.content))
    ws = wb.active
    values = {"水分": "12.0", "铅": "<0.02"}
    filled = 0
    for row in ws.iter_rows():
        for cell in row:
            if cell.value in values:
                ws.cell(row=cell.row, column=_result_column(ws), value=values[cell.value])
                filled += 1
    assert filled == 2
    buffer = io.BytesIO()
    wb.save(buffer)
    buffer.seek(0)
    buffer.name = "results.xlsx"
    client.post(reverse("testing:results-upload", args=[order.pk]), {"file": buffer})
    assert order.items.get(parameter="水分").result == "12.0"
    assert order.items.get(parameter="铅").verdict == "pass"
    # Recorded as an import job like every import, its upload removed once read.
    from nqihub.core.models import ImportJob

    job = ImportJob.objects.get(kind="testing.results", scope__order_id=order.pk)
    assert job.status == "done" and job.created_by.username == "lab_lz" and not job.file
    assert results_template_xlsx  # the template comes from the results_xlsx module


def test_a_bad_or_unsafe_results_file_is_refused_and_changes_nothing(client_for, make_order, advance):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from nqihub.core.models import ImportJob
    from nqihub.core.tests.test_imports import with_dtd, workbook

    order = advance(make_order(), "sample_received")
    client = client_for("lab_lz")
    url = reverse("testing:results-upload", args=[order.pk])
    before = list(order.items.order_by("seq").values_list("seq", "result"))
    header = ["序号", "检验项目", "单位", "检验结果"]
    for data, needle in (
        (workbook([header, [99, "水分", "%", "12"]]), "没有序号为 99"),
        (with_dtd(workbook([header, [1, "水分", "%", "12"]])), "DTD"),
    ):
        response = client.post(url, {"file": SimpleUploadedFile("r.xlsx", data)}, follow=True)
        assert response.status_code == 200 and needle in response.content.decode()
    assert list(order.items.order_by("seq").values_list("seq", "result")) == before
    assert not ImportJob.objects.filter(kind="testing.results").exists()


def _result_column(ws) -> int:
    for row in ws.iter_rows(max_row=10):
        for cell in row:
            if isinstance(cell.value, str) and "结果" in cell.value:
                return cell.column
    raise AssertionError("no result column in the template")


def test_bad_upload_changes_nothing(client_for, make_order, advance):
    order = advance(make_order(), "sample_received")
    bad = io.BytesIO(b"not a workbook")
    bad.name = "results.xlsx"
    response = client_for("lab_lz").post(
        reverse("testing:results-upload", args=[order.pk]), {"file": bad}, follow=True
    )
    assert response.status_code == 200
    assert not order.items.exclude(result="").exists()


def test_photo_upload_is_type_checked(client_for, make_order, tmp_path, settings):
    settings.MEDIA_ROOT = tmp_path
    order = make_order()
    sample = order.samples.get()
    client = client_for("ent_shanyuan")
    fake = io.BytesIO(b"MZ not an image")
    fake.name = "photo.png"
    response = client.post(
        reverse("testing:photo-add", args=[order.pk, sample.pk]), {"file": fake}, follow=True
    )
    assert "不符" in response.content.decode()
    png = io.BytesIO(
        bytes.fromhex(
            "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
            "1f15c4890000000d4944415478da63f8cfc0f01f0005000201e5273de90000000049454e44ae426082"
        )
    )
    png.name = "样品.png"
    client.post(reverse("testing:photo-add", args=[order.pk, sample.pk]), {"file": png})
    photo = sample.photos.get()
    assert client.get(reverse("testing:photo-view", args=[order.pk, photo.pk])).status_code == 200
    assert (
        client_for("ent_yuese").get(reverse("testing:photo-view", args=[order.pk, photo.pk])).status_code
        == 404
    )


# --- public verification -------------------------------------------------------------------------------------------


def test_public_verification_without_login(client, issued):
    report = issued.reports.get()
    page = client.get(reverse("testing:verify"), {"number": report.number, "code": report.check_code})
    html = page.content.decode()
    assert page.status_code == 200 and 'data-genuine="true"' in html
    assert "善元食品有限公司" in html and "预包装柳州螺蛳粉" in html


@pytest.mark.parametrize("number, code", [("示例LZ-2026-9999", "ABCDEFGH"), (None, "ABCDEFGH")])
def test_unknown_number_or_wrong_code_says_no_such_report(client, issued, number, code):
    report = issued.reports.get()
    page = client.get(reverse("testing:verify"), {"number": number or report.number, "code": code})
    html = page.content.decode()
    assert 'data-genuine="false"' in html and "查无此报告" in html
    assert "善元食品有限公司" not in html


def test_verification_is_rate_limited_per_ip(client, issued, settings):
    settings.TESTING_VERIFY_LIMIT = 3
    report = issued.reports.get()
    for _ in range(3):
        assert client.get(reverse("testing:verify"), {"number": "x", "code": "y"}).status_code == 200
    limited = client.get(reverse("testing:verify"), {"number": report.number, "code": report.check_code})
    assert limited.status_code == 429 and "查询过于频繁" in limited.content.decode()
    other = client.get(
        reverse("testing:verify"),
        {"number": report.number, "code": report.check_code},
        REMOTE_ADDR="10.0.0.9",
    )
    assert other.status_code == 200
    # Opening the empty page does not count.
    assert client.get(reverse("testing:verify")).status_code == 200


# --- pages around -----------------------------------------------------------------------------------------------


def test_pass_rate_page(client_for, issued):
    html = client_for("reg_lz").get(reverse("testing:pass-rates"), {"group_by": "lab"}).content.decode()
    assert "柳州市食品检验检测实验室（示例）" in html and "%" in html
    bad = client_for("reg_lz").get(
        reverse("testing:pass-rates"), {"date_from": "2026-05-01", "date_to": "2026-01-01"}
    )
    assert "结束日期不能早于开始日期" in bad.content.decode()


def test_pass_rate_page_limited_to_a_region(client_for, issued):
    c = client_for("reg_lz")
    inside = c.get(reverse("testing:pass-rates"), {"group_by": "lab", "region": "450200"}).content.decode()
    assert "柳州市食品检验检测实验室（示例）" in inside
    # 善元 is in 柳南区 (450204): limited to 城中区 (450202), nothing of it is counted.
    other = c.get(reverse("testing:pass-rates"), {"group_by": "lab", "region": "450202"}).content.decode()
    assert "柳州市食品检验检测实验室（示例）" not in other
    bad = c.get(reverse("testing:pass-rates"), {"region": "4502"}).content.decode()
    assert "地区应为 6 位行政区划代码" in bad


def test_lab_settings_for_the_manager_only(client_for, lab, users):
    manager = client_for("lab_lz_approve")
    page = manager.get(reverse("testing:lab-settings", args=[lab.pk]))
    assert page.status_code == 200 and "lab_lz_review" in page.content.decode()
    manager.post(
        reverse("testing:lab-settings", args=[lab.pk]),
        {"user": users["lab_lz"].pk, "role": "reviewer", "granted": "1"},
    )
    assert "reviewer" in services.lab_roles(users["lab_lz"], lab)
    for other in ("lab_lz", "ent_shanyuan", "reg_lz"):
        assert client_for(other).get(reverse("testing:lab-settings", args=[lab.pk])).status_code == 404


def test_menu_shows_testing_for_the_roles(client_for):
    for user in ("ent_shanyuan", "station_lz", "coop_haimen", "lab_lz", "reg_lz"):
        html = client_for(user).get(reverse("web:home")).content.decode()
        assert f'href="{reverse("testing:order-list")}"' in html, user
    html = client_for("expert_lz").get(reverse("web:home")).content.decode()
    assert f'href="{reverse("testing:order-list")}"' not in html
    # The public verification page is in everyone's footer.
    assert f'href="{reverse("testing:verify")}"' in html


def test_desk_request_page_offers_a_test_order(client_for, shanyuan, users):
    from nqihub.desk.services import RequestData, request_create

    req = request_create(
        data=RequestData(
            categories=["testing"],
            title="检测需求",
            description="检测",
            enterprise_id=shanyuan.pk,
            channel="walk_in",
        ),
        by=users["station_lz"],
    )
    html = client_for("station_lz").get(reverse("desk:request-detail", args=[req.pk])).content.decode()
    assert "发起检测委托" in html and f"{reverse('testing:order-create')}?request={req.pk}" in html
    form = client_for("station_lz").get(reverse("testing:order-create"), {"request": req.pk})
    assert form.status_code == 200 and req.number in form.content.decode()
    assert (
        client_for("ent_yuese").get(reverse("testing:order-create"), {"request": req.pk}).status_code == 404
    )


def test_test_items_named_in_a_request_carry_into_the_order_opened_from_it(client_for, shanyuan, users):
    from nqihub.desk.services import RequestData, request_create

    req = request_create(
        data=RequestData(
            categories=["testing"],
            title="螺蛳粉出厂检验",
            description="请帮忙检测菌落总数、大肠菌群和酸值，另外包材要测甲醛。铅笔写的记录不算。",
            enterprise_id=shanyuan.pk,
            channel="walk_in",
        ),
        by=users["station_lz"],
    )
    assert [i["parameter"] for i in services.request_items(req)] == [
        "菌落总数",
        "大肠菌群",
        "酸价",
        "甲醛含量",
    ]
    form = client_for("station_lz").get(reverse("testing:order-create"), {"request": req.pk})
    rows = [r["values"].get("parameter") for r in form.context["item_rows"] if r["values"]]
    assert rows == ["菌落总数", "大肠菌群", "酸价", "甲醛含量"]
    assert 'value="大肠菌群"' in form.content.decode()
