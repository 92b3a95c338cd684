"""``parameters_named_in``: the test items a free text (a service request) names, by vocabulary name, in the
order named — whatever the separators, synonyms and words around them."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqihub.directory.matching import invalidate_vocabulary_cache, parameters_named_in
from nqihub.directory.models import Parameter

VOCABULARY = {
    "菌落总数": ["细菌总数"],
    "大肠菌群": [],
    "甲醛含量": ["甲醛", "游离甲醛"],
    "酸价": ["酸值"],
    "过氧化值": [],
    "铅": ["总铅"],
    "pH值": ["pH"],
}
SEPARATORS = ["、", "，", ",", "和", "及", "；", " "]
FILLER = st.sampled_from(["请帮忙检测", "需要测", "出厂检验项目：", "麻烦安排检测 ", ""])


@pytest.fixture
def vocabulary(db):
    for name, synonyms in VOCABULARY.items():
        Parameter.objects.update_or_create(name=name, defaults={"synonyms": "、".join(synonyms)})
    invalidate_vocabulary_cache()
    yield
    invalidate_vocabulary_cache()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    picks=st.lists(
        st.sampled_from(
            [(name, alias) for name, aliases in VOCABULARY.items() for alias in [name, *aliases]]
        ),
        min_size=1,
        max_size=5,
        unique_by=lambda p: p[0],
    ),
    separator=st.sampled_from(SEPARATORS),
    before=FILLER,
)
def test_every_named_item_is_found_once_in_order(vocabulary, picks, separator, before):
    text = before + separator.join(alias for _name, alias in picks) + "。"
    assert parameters_named_in(text) == [name for name, _alias in picks]


def test_one_character_names_only_as_words_and_longer_names_win(vocabulary):
    assert parameters_named_in("检测铅、大肠菌群") == ["铅", "大肠菌群"]
    assert parameters_named_in("铅笔包装的酸值") == ["酸价"]
    assert parameters_named_in("") == []
    assert parameters_named_in("没有检测需求") == []
