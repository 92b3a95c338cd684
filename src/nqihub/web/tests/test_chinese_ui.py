"""Chinese means Chinese (issue 17 item 6): every page a demo user of each role reaches, shown in Chinese,
speaks Chinese — no dotted audit codes (``accounts.login``), no snake_case keys (``fibre_content``), no
bare choice values (``metrology``, ``solved``), no region code without its name, and no English word
beyond brand names, units and standard prefixes.

The pages are those of the URL conf (as in the access matrix: every route, filled with the Liuzhou
world's objects), fetched with GET by each role; what a person reads is the text between the tags (scripts
and styles aside) and the ``placeholder``, ``title`` and ``aria-label`` of elements.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

import pytest
from django.apps import apps
from django.db import models as djmodels
from django.test import Client

from nqihub.accounts.models import User
from nqihub.core.tests.test_access_matrix import ROLES, _fill, _models, page_routes
from nqihub.standards.models import CcsCode, Standard

pytestmark = pytest.mark.django_db

#: Words of other languages a Chinese page may show: brands, abbreviations of the domain, units, standard
#: prefixes, file types. Lower-case; compared case-insensitively.
ALLOWED_WORDS = {
    # the product, the domain's abbreviations and standard prefixes
    *"nqi ics ccs gb gbt gb/t t db dbs q qb fz hg js sb sn yy ws jjg jjf cnas cma ccc cqc iso iec en astm "
    "uscc qr pdf csv xlsx xls api url http https www ssl tls sms id ok pm am ph cas no".split(),
    # units
    *"mg kg g ml l mm cm m km h min s ppm cfu mpa kpa pa kw w v a hz db lx vol".split(),
    # file formats and keys of the keyboard
    *"webp heic jpeg jpg png docx enter tab esc".split(),
    # names: the product, brands, the language switch (a language is named in its own language)
    *"hub excel wps word echarts english ex".split(),
}
ACRONYM = re.compile(r"[A-Z][A-Z0-9]+")
URL = re.compile(r"https?://\S+|\b[\w.+-]+@[\w-]+\.[\w.]+")
WORD = re.compile(r"(?<![A-Za-z0-9_./-])[A-Za-z][A-Za-z]+(?![A-Za-z0-9_])")
DOTTED = re.compile(r"\b[a-z]+\.[a-z_]+\b")
SNAKE = re.compile(r"\b[a-z]+_[a-z0-9_]+\b")
SIX_DIGITS = re.compile(r"(?<!\d)\d{6}(?![\d-])")


class _Text(HTMLParser):
    """Text nodes and the attributes a person reads. Scripts and styles are skipped, and so is an element
    marked as another language (``lang="en"``: the ISO names of ICS classes, which have no Chinese source)."""

    SKIP = {"script", "style", "template", "noscript"}
    ATTRS = {"placeholder", "title", "aria-label"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._open: list[str] = []  # tags that started a skipped part, innermost last

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if self._open and tag == self._open[-1]:
            self._open.append(tag)  # the same tag nested inside a skipped part
        elif tag in self.SKIP or (tag != "html" and not (attrs.get("lang") or "zh").startswith("zh")):
            self._open.append(tag)
        if self._open:
            return
        for name, value in attrs.items():
            if name in self.ATTRS and value:
                self.parts.append(value)

    def handle_endtag(self, tag):
        if self._open and tag == self._open[-1]:
            self._open.pop()

    @property
    def _skip(self) -> bool:
        return bool(self._open)

    def handle_data(self, data):
        if not self._skip and data.strip():
            self.parts.append(data.strip())


def visible_text(html: str) -> str:
    parser = _Text()
    parser.feed(html)
    return "\n".join(parser.parts)


def _choice_values() -> set[str]:
    """The stored values of the project's choices that read as words (``metrology``, ``solved``)."""
    values = set()
    for model in apps.get_models():
        if not model.__module__.startswith("nqihub."):
            continue
        for field in model._meta.get_fields():
            if isinstance(field, djmodels.Field) and field.choices:
                for value, _label in field.flatchoices:
                    if isinstance(value, str) and re.fullmatch(r"[a-z][a-z_]+", value):
                        values.add(value)
    return values


def _region_names() -> dict[str, str]:
    return dict(apps.get_model("core", "Region").objects.values_list("code", "name"))


def findings(text: str, choice_values: set[str], regions: dict[str, str], usernames=()) -> list[str]:
    """What in ``text`` is not Chinese for a person: each finding with a little of its context."""
    out = []
    text = URL.sub(" ", text)

    def around(m, width=24):
        return text[max(0, m.start() - width) : m.end() + width].replace("\n", " ")

    for m in DOTTED.finditer(text):
        out.append(f"dotted code {m.group()!r}: …{around(m)}…")
    for m in SNAKE.finditer(text):
        if m.group() in usernames:
            continue  # a login name, shown as such in the account menu
        out.append(f"snake_case key {m.group()!r}: …{around(m)}…")
    for m in WORD.finditer(text):
        word = m.group()
        if word.lower() in ALLOWED_WORDS or ACRONYM.fullmatch(word) or word in usernames:
            continue
        kind = "choice value" if word in choice_values else "English word"
        out.append(f"{kind} {word!r}: …{around(m)}…")
    for m in SIX_DIGITS.finditer(text):
        name = regions.get(m.group())
        if name and name not in around(m, 40):
            out.append(f"region code {m.group()} without its name ({name}): …{around(m)}…")
    return out


def _pages():
    """Every page route filled with the Liuzhou world's objects (admin and sign-out aside)."""
    models = _models()
    urls = []
    for route in page_routes():
        if route.startswith("admin/") or "logout" in route:
            continue
        url = _fill(route, "L", models)
        if url is not None:
            urls.append("/" + url.lstrip("^").rstrip("$"))
    return urls


def crawl(client: Client, urls, choice_values, regions, usernames) -> dict[str, str]:
    """``{finding: the first page showing it}`` over the pages of ``urls`` that answer with HTML."""
    found: dict[str, str] = {}
    for url in urls:
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-CN")
        if response.status_code != 200 or "text/html" not in response.get("Content-Type", ""):
            continue
        if getattr(response, "streaming", False):
            continue
        text = visible_text(response.content.decode())
        for problem in findings(text, choice_values, regions, usernames):
            found.setdefault(problem.split(": …")[0], f"{url}  {problem}")
    return found


@pytest.mark.parametrize("role", [r for r in ROLES if r != "anon"] + ["anon"])
def test_every_page_a_role_reaches_speaks_chinese(role, client_for):
    client = Client() if ROLES[role] is None else client_for(ROLES[role])
    usernames = set(User.objects.values_list("username", flat=True))
    found = crawl(client, _pages(), _choice_values(), _region_names(), usernames)
    assert not found, f"{len(found)} things {role} reads are not Chinese:\n" + "\n".join(
        sorted(found.values())
    )


def test_the_checks_catch_what_they_name():
    """The scanner itself: each kind of finding is caught, and Chinese with allowed words passes."""
    regions = {"450202": "城中区"}
    text = visible_text(
        "<p>操作：accounts.login</p><script>var x = 'ignored_key';</script><p>字段 fibre_content</p>"
        '<p>状态 solved</p><p>地区 450202</p><nav aria-label="breadcrumb">首页</nav>'
    )
    found = findings(text, {"solved"}, regions)
    assert {f.split(" ")[0] for f in found} == {"English", "choice", "dotted", "region", "snake_case"}
    assert any("'breadcrumb'" in f for f in found)  # an attribute a screen reader reads
    fine = visible_text(
        "<p>GB/T 18401-2010 · ICS 61.020 · 5 mg/kg · 城中区（450202） · PDF · JC-2026-000001</p>"
        '<p><span lang="en">Food <b>products</b> <span>in</span> general</span> 食品</p><p>reg_lz</p>'
        "<p>见 https://www.example.com/a_b 页面</p>"
    )
    assert findings(fine, {"solved"}, regions, usernames={"reg_lz"}) == []


def test_a_standards_classes_are_named_next_to_their_codes(client_for):
    std = Standard.objects.order_by("pk").first()
    Standard.objects.filter(pk=std.pk).update(ics="67", ccs="X")
    body = client_for("ent_shanyuan").get(f"/standards/{std.pk}/").content.decode()
    text = " ".join(visible_text(body).split())
    assert "食品技术 67" in text
    ccs = CcsCode.objects.get(code="X")
    assert f"{ccs.name} X" in text
