"""The layout: navigation by role, the user menu, language switch, login and logout pages."""

import pytest
from django.test import Client
from django.urls import reverse

from nqihub.demo.management.commands.load_demo import DEMO_USERS

pytestmark = pytest.mark.django_db


def text(response):
    return response.content.decode()


@pytest.mark.parametrize("username", list(DEMO_USERS))
def test_every_demo_user_gets_a_home_page_with_navigation(client_for, username):
    response = client_for(username).get(reverse("web:home"))
    assert response.status_code == 200
    body = text(response)
    assert "质量基础设施一站式服务平台" in body
    assert "服务资源库" in body and "能力查询" in body
    # The user menu names the organisation and the role; logout is a POST form.
    display, _org, _role, description = DEMO_USERS[username]
    assert display in body
    assert f'action="{reverse("accounts:logout")}" method="post"' in body


def test_enterprise_user_sees_my_enterprise_instead_of_the_list(client_for):
    body = text(client_for("ent_shanyuan").get(reverse("web:home")))
    assert "我的企业" in body
    assert "审计日志" not in body and "管理后台" not in body


def test_regulator_sees_the_audit_log_but_not_the_admin(client_for):
    body = text(client_for("reg_lz").get(reverse("web:home")))
    assert reverse("web:audit-log") in body and "管理后台" not in body
    assert "我的企业" not in body


def test_admin_sees_the_admin_site(client_for):
    body = text(client_for("admin").get(reverse("web:home")))
    assert "管理后台" in body and "/admin/" in body and reverse("web:audit-log") in body


def test_home_counts_what_the_user_may_see(client_for):
    from nqihub.accounts.models import User
    from nqihub.core.scoping import visible
    from nqihub.directory.models import Enterprise, Expert, Institution, Station

    response = client_for("reg_lz").get(reverse("web:home"))
    counts = {str(label): n for label, n, _url, _icon in response.context["counts"]}
    reg_lz = User.objects.get(username="reg_lz")
    expected = {
        label: model.objects.filter(visible(reg_lz, model)).count()
        for label, model in (
            ("企业", Enterprise),
            ("技术机构", Institution),
            ("服务站", Station),
            ("专家", Expert),
        )
    }
    assert counts == expected and all(n >= 1 for n in expected.values())
    # Nothing from Haimen or Wuhan is counted for Liuzhou's regulator.
    assert expected["企业"] == Enterprise.objects.filter(region_id__gte="4502", region_id__lt="4503").count()
    response = client_for("ent_yuese").get(reverse("web:home"))
    counts = {str(label): n for label, n, _url, _icon in response.context["counts"]}
    assert counts["我的企业"] == 1
    # Stations are counted within the enterprise's own province (Jiangsu), never Liuzhou's or Wuhan's.
    in_province = Station.objects.filter(region__code__startswith="32").count()
    assert counts["服务站"] == in_province < Station.objects.count()


def test_home_shows_visitors_the_landing_page(client):
    response = client.get(reverse("web:home"))
    assert response.status_code == 200
    assert 'id="landing-title"' in response.content.decode()


def test_language_switch_shows_english(client_for):
    c = client_for("reg_lz")
    response = c.post(reverse("set_language"), {"language": "en", "next": reverse("web:home")})
    assert response.status_code == 302
    body = text(c.get(reverse("web:home")))
    assert '<html lang="en">' in body
    assert "One-stop Quality Infrastructure Service Platform" in body
    assert "Directory" in body and "Capabilities" in body and "Audit log" in body
    assert "服务资源库" not in body
    body = text(c.get(reverse("directory:enterprise-list")))
    assert "Enterprises" in body and "Export to Excel" in body and "Unified social credit code" in body
    c.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert "服务资源库" in text(c.get(reverse("web:home")))


def test_login_page_renders_in_chinese(client):
    response = client.get(reverse("accounts:login"))
    assert response.status_code == 200
    body = text(response)
    assert "用户名" in body and "密码" in body and "csrfmiddlewaretoken" in body


def test_failed_login_shows_a_chinese_error(client):
    response = client.post(reverse("accounts:login"), {"username": "reg_lz", "password": "wrong-Password1"})
    assert response.status_code == 200
    assert "用户名或密码错误" in text(response)
    response = client.post(reverse("accounts:login"), {"username": "", "password": ""})
    assert "请输入用户名。" in text(response) and "请输入密码。" in text(response)


def test_login_redirects_home(demo_password):
    c = Client()
    response = c.post(reverse("accounts:login"), {"username": "ent_yuese", "password": demo_password})
    assert response.status_code == 302 and response["Location"] == reverse("web:home")


def test_lock_out_page_says_fifteen_minutes(demo_password):
    c = Client()
    for _ in range(5):
        c.post(reverse("accounts:login"), {"username": "ent_hanxi", "password": "wrong-Password1"})
    response = c.post(reverse("accounts:login"), {"username": "ent_hanxi", "password": demo_password})
    assert response.status_code in (403, 429)
    body = text(response)
    assert "账户已锁定" in body and "锁定 15 分钟" in body and "连续失败 5 次" in body


def test_logout_is_post_only(client_for):
    c = client_for("reg_lz")
    assert c.get(reverse("accounts:logout")).status_code == 405
    assert c.get(reverse("web:home")).status_code == 200
    response = c.post(reverse("accounts:logout"))
    assert response.status_code == 302
    assert 'id="landing-title"' in c.get(reverse("web:home")).content.decode()
    assert c.get(reverse("desk:request-list")).status_code == 302


def test_not_found_and_forbidden_pages_use_the_layout(client_for):
    c = client_for("ent_yuese")
    response = c.get(reverse("directory:enterprise-detail", args=[999999]))
    assert response.status_code == 404 and "页面不存在" in text(response)
    response = c.get(reverse("directory:institution-create"))
    assert response.status_code == 403 and "无权访问" in text(response)


def test_static_assets_are_local(client_for):
    body = text(client_for("reg_lz").get(reverse("web:home")))
    assert "/static/vendor/bootstrap/bootstrap.min.css" in body and "/static/vendor/htmx/htmx.min.js" in body
    assert "cdn" not in body.lower() and "https://" not in body


def test_region_and_industry_pickers(client_for):
    c = client_for("reg_lz")
    body = text(
        c.get(reverse("web:region-options"), {"field": "region", "region": "海门", "level": "county"})
    )
    assert 'value="320614"' in body and "江苏省南通市海门区" in body
    body = text(c.get(reverse("web:industry-options"), {"field": "industry", "industry": "米"}))
    assert "1431" in body
    assert c.get(reverse("web:region-options"), {"field": "x" * 100}).status_code == 200
    # Regions are public reference data (the visitors' registration form picks its county with them);
    # industries stay behind the sign-in.
    assert Client().get(reverse("web:region-options")).status_code == 200
    assert Client().get(reverse("web:industry-options")).status_code == 302
