"""The suggestion engine at scale: corpus statistics kept in step, bounded candidates, scope kept, and the
dispatch ranking's past-solved-requests signal."""

import datetime

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nqihub.cases import corpus, suggest
from nqihub.cases.models import Case, CaseTerm, CorpusStat, TermStat
from nqihub.cases.selectors import case_search
from nqihub.cases.services import (
    case_consent,
    case_forget,
    case_publish,
    case_submit,
    case_unpublish,
    index_case,
)
from nqihub.core.search import segment
from nqihub.desk import services as desk
from nqihub.desk.models import Assignment, ServiceRequest
from nqihub.directory.models import Enterprise, Expert, Station


def stats_from_scratch() -> tuple[tuple[int, int], dict[str, int]]:
    published = Case.objects.filter(status=Case.Status.PUBLISHED)
    n = published.count()
    total = sum(published.values_list("term_count", flat=True))
    df: dict[str, int] = {}
    for term in CaseTerm.objects.filter(case__status=Case.Status.PUBLISHED).values_list("term", flat=True):
        df[term] = df.get(term, 0) + 1
    return (n, total), df


def stats_kept() -> tuple[tuple[int, int], dict[str, int]]:
    row = CorpusStat.objects.values_list("n_docs", "total_terms").get(pk=1)
    return row, dict(TermStat.objects.filter(df__gt=0).values_list("term", "df"))


def test_demo_corpus_statistics_match_a_recount(db):
    assert stats_kept() == stats_from_scratch()
    assert stats_kept()[0][0] == 3


def test_publish_and_unpublish_move_the_statistics(draft_case, demo_user):
    n_before = CorpusStat.objects.get(pk=1).n_docs
    df_before = TermStat.objects.filter(term="酸笋").values_list("df", flat=True).first() or 0
    case_submit(case=draft_case, by=demo_user("station_lz"))
    case_consent(case=draft_case, consent=True, by=demo_user("ent_shanyuan"))
    case_publish(case=draft_case, by=demo_user("reg_lz"))
    assert CorpusStat.objects.get(pk=1).n_docs == n_before + 1
    assert TermStat.objects.get(term="酸笋").df == df_before + 1
    assert stats_kept() == stats_from_scratch()
    case_unpublish(case=draft_case, by=demo_user("reg_lz"))
    assert CorpusStat.objects.get(pk=1).n_docs == n_before
    assert (TermStat.objects.filter(term="酸笋").values_list("df", flat=True).first() or 0) == df_before
    assert stats_kept() == stats_from_scratch()


def test_a_draft_is_not_counted_and_rebuild_agrees(draft_case):
    assert Case.objects.get(pk=draft_case.pk).in_stats is False
    kept = stats_kept()
    corpus.rebuild()
    assert stats_kept() == kept == stats_from_scratch()


WORDS = ["螺蛳粉", "酸笋", "保质期", "杀菌", "床单", "甲醛", "导热膜", "标准", "检测", "标签"]


@given(
    ops=st.lists(
        st.tuples(
            st.sampled_from(["publish", "unpublish", "reindex", "delete"]),
            st.integers(0, 3),
            st.lists(st.sampled_from(WORDS), min_size=1, max_size=4),
        ),
        max_size=12,
    )
)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
def test_statistics_stay_equal_to_a_recount_whatever_happens(db, ops):
    """Property: after any sequence of publishing, unpublishing, re-indexing and deleting, the kept
    statistics equal a recount of the published cases."""
    cases = []
    for i in range(4):
        case = Case.objects.create(
            title=f"性质测试案例{i}（示例）",
            problem="螺蛳粉",
            solution="杀菌",
            result="合格",
            region_id="450204",
        )
        index_case(case)
        cases.append(case)
    for op, i, words in ops:
        case = cases[i]
        if case is None:
            continue
        if op == "publish":
            Case.objects.filter(pk=case.pk).update(status=Case.Status.PUBLISHED)
            corpus.count(case.pk)
        elif op == "unpublish":
            Case.objects.filter(pk=case.pk).update(status=Case.Status.DRAFT)
            corpus.uncount(case.pk)
        elif op == "reindex":
            case.refresh_from_db()
            case.problem = "，".join(words)
            case.save()
            index_case(case)
        else:
            case_forget(case)
            case.delete()
            cases[i] = None
        assert stats_kept() == stats_from_scratch()
    for case in cases:
        if case is not None:
            case_forget(case)
            case.delete()


def test_counting_twice_counts_once(db):
    case = Case.objects.filter(status=Case.Status.PUBLISHED).first()
    kept = stats_kept()
    assert corpus.count(case.pk) is False
    assert corpus.uncount(case.pk) is True
    assert corpus.uncount(case.pk) is False
    assert corpus.count(case.pk) is True
    assert stats_kept() == kept


# --- bounded candidates ---------------------------------------------------------------------------------


def test_bounded_candidates_still_rank_the_liuzhou_case_first(db, monkeypatch):
    monkeypatch.setattr(suggest, "POSTINGS_BUDGET", 1)
    monkeypatch.setattr(suggest, "CANDIDATES", 1)
    hits = suggest.rank_cases(suggest.text_terms("螺蛳粉保质期太短怎么办"), suggest.published_cases())
    assert hits and "螺蛳粉" in hits[0].obj.title
    assert "保质期" in hits[0].matched_terms


def test_a_narrow_filter_is_honoured_when_the_candidates_were_cut(db, monkeypatch, demo_user):
    """With one candidate allowed, the globally best case (Liuzhou) is outside the region filter; the
    ranking falls back to the filtered cases' own postings instead of answering nothing."""
    monkeypatch.setattr(suggest, "POSTINGS_BUDGET", 1)
    monkeypatch.setattr(suggest, "CANDIDATES", 1)
    page = case_search(fetched_by=demo_user("reg_national"), q="螺蛳粉 标准 企业 质量", region="420000")
    assert page.items, "the Wuhan case shares 标准/企业 with the text"
    assert all(h.obj.region_id.startswith("42") for h in page.items)


def test_term_weights_fold_jieba_sub_terms_into_the_longer_term():
    idfs = {"过氧": 1.0, "氧化": 1.0, "过氧化": 1.0, "过氧化值": 1.0, "甲醛": 2.0}
    weights = suggest._generators(list(idfs), idfs)
    assert set(weights) == {"过氧化值", "甲醛"}
    assert weights["过氧化值"] == pytest.approx(4.0)


def test_unpublished_draft_found_by_its_station_only(draft_case, demo_user):
    """A draft's terms are not in the published statistics, yet its station finds it; an outsider does not."""
    mine = case_search(fetched_by=demo_user("station_lz"), q="酸笋包胀袋")
    assert draft_case.pk in [h.obj.pk for h in mine.items]
    for outsider in ("station_wh", "ent_hanxi", "coop_haimen", "ent_yuese"):
        found = case_search(fetched_by=demo_user(outsider), q="酸笋包胀袋")
        assert draft_case.pk not in [h.obj.pk for h in found.items]
    assert draft_case.pk not in [c["id"] for c in suggest.suggest("酸笋包胀袋")["cases"]]


# --- dispatch: past solved requests --------------------------------------------------------------------


@pytest.fixture
def twin_experts(db):
    """Two Liuzhou experts with the same profile; only 乙工 completed an assignment on a solved request
    about 酸笋包胀袋."""
    wei = Expert.objects.get(name="韦工（示例）")
    twins = []
    for name in ("甲工（示例）", "乙工（示例）"):
        e = Expert.objects.create(
            organisation=wei.organisation,
            name=name,
            region_id="450204",
            nqi_elements=",testing,",
            keywords="食品",
        )
        e.search_text = segment(e.name, e.keywords)
        e.save(update_fields=["search_text"])
        twins.append(e)
    today = datetime.date(2026, 3, 2)
    past = ServiceRequest.objects.create(
        number="FW-2026-990777",
        enterprise=Enterprise.objects.get(name="善元食品有限公司"),
        region_id="450204",
        categories=",testing,",
        product="酸笋包（示例）",
        title="酸笋包胀袋",
        description="酸笋包常温储存出现胀袋，需分析原因并调整杀菌工艺。",
        search_text=segment("酸笋包胀袋", "酸笋包常温储存出现胀袋，需分析原因并调整杀菌工艺。"),
        status="closed",
        station=Station.objects.get(name="广西柳州螺蛳粉质量检测服务站"),
        routing_level="station",
        routing_reason="test",
        accept_by=today,
        respond_by=today,
        resolve_by=today,
        outcome="solved",
    )
    Assignment.objects.create(
        request=past, assignee_type="expert", expert=twins[1], status=Assignment.Status.COMPLETED
    )
    return twins


def _new_request(demo_user):
    req = desk.request_create(
        data=desk.RequestData(
            categories=["testing"],
            industry=None,
            product="酸笋",
            title="酸笋包又出现胀袋",
            description="酸笋包储存一个月胀袋，想请专家看看杀菌工艺。",
        ),
        by=demo_user("ent_shanyuan"),
    )
    desk.request_accept(request=req, by=demo_user("station_lz"))
    return req


def test_an_expert_with_a_matching_past_solved_request_ranks_above_its_twin(twin_experts, demo_user):
    from nqihub.desk.selectors import suggest_assignees

    jia, yi = twin_experts
    req = _new_request(demo_user)
    experts = suggest_assignees(req, demo_user("station_lz"))["experts"]
    order = [s.assignee_id for s in experts]
    assert yi.pk in order and jia.pk in order
    assert order.index(yi.pk) < order.index(jia.pk)
    yi_row = experts[order.index(yi.pk)]
    assert "杀菌" in yi_row.matched_terms
    assert any("过往解决的 1 件需求" in r and "杀菌" in r for r in yi_row.reasons)
    assert not any("过往解决" in r for r in experts[order.index(jia.pk)].reasons)


def test_dispatch_form_shows_the_matched_terms_beside_the_expert(twin_experts, demo_user, client_for):
    jia, yi = twin_experts
    req = _new_request(demo_user)
    body = client_for("station_lz").get(reverse("desk:request-detail", args=[req.pk])).content.decode()
    form = body.split('class="dispatch-form"')[1].split("</form>")[0]
    assert form.index(f'value="expert:{yi.pk}"') < form.index(f'value="expert:{jia.pk}"')
    yi_block = form.split(f'value="expert:{yi.pk}"')[1].split('class="suggestion-note"')[0]
    assert '<mark class="px-1 me-1">杀菌</mark>' in yi_block
    assert "过往解决的 1 件需求与本需求相似" in yi_block


def test_dispatch_api_carries_the_past_solved_signal(twin_experts, demo_user, api_for):
    jia, yi = twin_experts
    req = _new_request(demo_user)
    body = api_for("station_lz").get(f"/api/v1/requests/{req.pk}/suggestions").json()
    ids = [e["assignee_id"] for e in body["experts"]]
    assert ids.index(yi.pk) < ids.index(jia.pk)
    assert "杀菌" in body["experts"][ids.index(yi.pk)]["matched_terms"]


def test_the_request_itself_is_not_its_own_past_signal(twin_experts):
    jia, yi = twin_experts
    past = ServiceRequest.objects.get(number="FW-2026-990777")
    qterms = suggest.text_terms("酸笋包胀袋")
    with_it = {h.obj.pk: h for h in suggest.rank_experts(qterms, limit=None)}
    without = {h.obj.pk: h for h in suggest.rank_experts(qterms, limit=None, exclude_request=past.pk)}
    assert with_it[yi.pk].solved and yi.pk not in without
