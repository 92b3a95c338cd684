"""Chinese keyword search over titles: jieba terms in an FTS5 (SQLite) / tsvector (PostgreSQL) index."""

import io
import re

import pytest
from django.core.management import call_command
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqihub.standards.models import Standard
from nqihub.standards.search import highlight, query_words, search_standards


@pytest.fixture(scope="module", autouse=True)
def _catalog(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        call_command("load_standards", stdout=io.StringIO())


def codes(result):
    return [s.canonical for s in result.items]


def test_two_character_word_is_found(db):
    result = search_standards("甲醛")
    assert "GB/T 2912.1-2009" in codes(result)
    assert result.total >= 1


def test_every_word_must_match(db):
    assert codes(search_standards("纺织品 甲醛")) == ["GB/T 2912.1-2009"]
    assert search_standards("甲醛 游泳池").total == 0


def test_longer_word_matches_through_its_parts(db):
    # 预包装食品标签 is not a token of the titles as written: its search-mode parts are.
    found = codes(search_standards("预包装食品标签", limit=10))
    assert {"GB 7718-2011", "GB 7718-2025"} <= set(found)


def test_filters_by_level_nature_status(db):
    result = search_standards("游泳", level="group", limit=100)
    assert result.total > 0
    assert all(s.level == "group" for s in result.items)
    upcoming = search_standards("食品", status="upcoming", limit=100)
    assert {"GB 7718-2025", "GB 28050-2025"} <= set(codes(upcoming))
    assert all(s.status == "upcoming" for s in upcoming.items)
    mandatory = search_standards("游泳池", nature="mandatory", limit=100)
    assert all(s.nature == "mandatory" for s in mandatory.items)


def test_ics_filter_is_a_prefix(db):
    Standard.objects.filter(canonical="GB/T 2912.1-2009").update(ics="59.080.01")
    assert codes(search_standards("甲醛", ics="59.080")) == ["GB/T 2912.1-2009"]
    assert search_standards("甲醛", ics="61").total == 0


def test_number_query_looks_up_directly_current_first(db):
    result = search_standards("GB 18401")
    assert codes(result)[:2] == ["GB 18401-2010", "GB 18401-2003"]
    assert codes(search_standards("gb/t 2912.1-09")) == ["GB/T 2912.1-2009"]


def test_ranking_puts_title_exact_match_first(db):
    result = search_standards("足球", limit=5)
    assert result.items[0].title in {"足球", "足球鞋"}


def test_pages_do_not_overlap(db):
    first = codes(search_standards("游泳", limit=10, offset=0))
    second = codes(search_standards("游泳", limit=10, offset=10))
    assert first and second and not set(first) & set(second)


def test_empty_query_lists_filtered_catalog(db):
    result = search_standards("", status="upcoming", limit=100)
    assert result.total == Standard.objects.filter(status="upcoming").count()


def test_highlight_escapes_then_marks():
    html = str(highlight("<b>纺织品</b> 甲醛的测定", ["甲醛", "纺织品"]))
    assert html == "&lt;b&gt;<mark>纺织品</mark>&lt;/b&gt; <mark>甲醛</mark>的测定"


def test_query_words_give_alternatives():
    words = query_words("甲醛含量")
    assert words[0][0] == "甲醛含量" and {"甲醛", "含量"} <= set(words[0][1:])


def test_fts_quotes_are_escaped(db):
    assert search_standards('甲醛" OR "x').total == 0


# --- recall: any CJK substring of two characters or more finds the title -----------------------------------

_CJK = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff]{2,}")


@pytest.fixture(scope="module")
def _titled(_catalog, django_db_blocker):
    with django_db_blocker.unblock():
        return [
            (pk, title, run)
            for pk, title in Standard.objects.values_list("pk", "title")
            for run in _CJK.findall(title.lower())
        ]


@settings(max_examples=150, deadline=None, suppress_health_check=list(HealthCheck))
@given(data=st.data())
def test_any_cjk_substring_finds_its_title(db, _titled, data):
    pk, title, run = data.draw(st.sampled_from(_titled))
    start = data.draw(st.integers(0, len(run) - 2))
    end = data.draw(st.integers(start + 2, len(run)))
    query = run[start:end]
    result = search_standards(query, limit=1)
    ids = {s.pk for s in search_standards(query, limit=result.total + 1).items}
    assert pk in ids, (query, title)


def test_substrings_jieba_cuts_differently(db):
    # 人造草坪 is cut 人造 + 草坪 by jieba: 人造草 is no word of it, yet every title containing it is found.
    for query in ("人造草", "造草坪", "游泳场", "泳池水", "全技术"):
        expected = set(Standard.objects.filter(title__contains=query).values_list("pk", flat=True))
        found = {s.pk for s in search_standards(query, limit=len(expected) + 50).items}
        assert expected <= found, query
        assert all(query in s.title for s in search_standards(query, limit=50).items), query


def test_single_character_is_found(db):
    expected = set(Standard.objects.filter(title__contains="茶").values_list("pk", flat=True))
    assert expected
    found = {s.pk for s in search_standards("茶", limit=len(expected) + 50).items}
    assert expected <= found


def test_index_follows_edits_and_deletes(db):
    from nqihub.standards.search import index_text

    gb = Standard.objects.get(canonical="GB/T 2912.1-2009")
    Standard.objects.filter(pk=gb.pk).update(search_text=index_text("示例螺蛳粉检验", gb.canonical))
    assert codes(search_standards("蛳粉检")) == ["GB/T 2912.1-2009"]
    Standard.objects.filter(pk=gb.pk).delete()
    assert search_standards("蛳粉检").total == 0
