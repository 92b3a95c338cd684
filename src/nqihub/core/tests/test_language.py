import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_chinese_is_the_default_whatever_the_browser_asks(client_for):
    c = client_for("reg_lz")
    body = c.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9").content.decode()
    assert '<html lang="zh-hans">' in body and "服务资源库" in body


@pytest.mark.django_db
def test_a_chosen_language_sticks(client_for):
    c = client_for("reg_lz")
    c.post(reverse("set_language"), {"language": "en", "next": "/"})
    body = c.get(reverse("web:home"), HTTP_ACCEPT_LANGUAGE="zh-CN").content.decode()
    assert '<html lang="en">' in body and "Directory" in body
    c.post(reverse("set_language"), {"language": "zh-hans", "next": "/"})
    assert '<html lang="zh-hans">' in c.get(reverse("web:home")).content.decode()


def test_an_unknown_language_cookie_falls_back_to_chinese(client):
    client.cookies["django_language"] = "xx"
    body = client.get(reverse("accounts:login")).content.decode()
    assert '<html lang="zh-hans">' in body
