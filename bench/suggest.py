"""Benchmark of the suggestion engine (``nqihub.cases.suggest``) against a naive icontains baseline.

Generates N published cases and a few hundred experts from templates mixing real vocabulary (products,
problems, test parameters), each case a unique (product, problem, parameter) combination; held-out queries
paraphrase one combination, so the right case (and the right expert: the one whose keywords name that
product and problem) is known. The cases are indexed as ``services.index_case`` indexes a case (terms,
frequencies, length) but bulk-inserted, then the corpus statistics are rebuilt once (``corpus.rebuild``).
Then ANALYZE (the planner's statistics, as a real database has them). The held-out query texts are drawn
once from their own random stream (``--seed`` + 1), so the engine and the baseline answer the very same
texts, timed interleaved query by query. Prints one JSON object: top-5 hit rate for cases and experts and
p50/p95 latency (wall clock, CPU, and split into cases / experts), for the engine and the baseline. Everything runs inside a transaction
that is rolled back unless ``--keep``; ``--reuse`` times again on kept data.

    .venv/bin/python bench/suggest.py --cases 10000 --queries 200
    DATABASE_URL=sqlite:////tmp/s.sqlite3 .venv/bin/python bench/suggest.py --cases 100000 --keep
    DATABASE_URL=sqlite:////tmp/s.sqlite3 .venv/bin/python bench/suggest.py --cases 100000 --reuse
"""

import argparse
import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")

PRODUCTS = [
    "螺蛳粉",
    "米粉",
    "酸笋",
    "腐竹",
    "辣椒酱",
    "月饼",
    "饮用水",
    "白砂糖",
    "茶叶",
    "蜂蜜",
    "床单",
    "被套",
    "枕芯",
    "毛巾",
    "羽绒被",
    "童装",
    "石墨烯膜",
    "导热膜",
    "锂电池",
    "电线电缆",
    "插座",
    "电动车头盔",
    "儿童玩具",
    "陶瓷砖",
    "水泥",
    "钢筋",
    "门窗",
    "涂料",
    "塑料管材",
    "家具",
]
PROBLEMS = [
    ("保质期短", "延长保质期"),
    ("胀袋", "杀菌工艺"),
    ("霉变", "防霉"),
    ("色牢度不合格", "染整工艺"),
    ("甲醛超标", "甲醛控制"),
    ("标签不规范", "标识标签"),
    ("没有标准", "企业标准"),
    ("良品率低", "工艺稳定"),
    ("认证不会办", "CCC认证"),
    ("出口检测", "检测报告"),
    ("计量器具过期", "检定校准"),
    ("纤维含量不符", "纤维成分"),
    ("导热系数不达标", "导热性能"),
    ("抽检不合格", "整改复检"),
    ("异味", "气味控制"),
    ("包装破损", "包装设计"),
    ("重金属超标", "原料控制"),
    ("强度不够", "力学性能"),
    ("尺寸偏差", "尺寸公差"),
    ("阻燃不合格", "阻燃处理"),
]
PARAMETERS = [
    "菌落总数",
    "大肠菌群",
    "霉菌和酵母",
    "商业无菌",
    "过氧化值",
    "酸价",
    "水分",
    "铅",
    "苯甲酸",
    "山梨酸",
    "甲醛含量",
    "pH值",
    "耐水色牢度",
    "耐汗渍色牢度",
    "纤维含量",
    "导热系数",
    "厚度",
    "拉伸强度",
    "阻燃性能",
    "耐磨性",
]
FILLERS = [
    "企业反映",
    "经服务站走访发现",
    "小微企业",
    "生产过程中",
    "近期",
    "客户投诉",
    "市场抽检中",
    "质量合作社社员",
]
QUERY_FILLERS = ["请问", "我们公司", "急需帮助", "想咨询一下", "怎么办", "有没有专家", "麻烦指导"]


def case_text(rng, product, problem, fix, param):
    title = f"{product}{problem}问题的解决"
    body = (
        f"{rng.choice(FILLERS)}，{product}产品{problem}，{param}检测结果波动。"
        f"专家通过{fix}并复检{param}，问题得到解决。"
    )
    return title, body


def query_text(rng, product, problem, param):
    return f"{rng.choice(QUERY_FILLERS)}，{product}{problem}，{param}总是不稳定，{rng.choice(QUERY_FILLERS)}"


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--cases", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--keep", action="store_true", help="commit the generated data instead of rolling back"
    )
    parser.add_argument(
        "--reuse",
        action="store_true",
        help="time again on the data a previous --keep run left (same --cases/--seed)",
    )
    args = parser.parse_args()

    import django

    django.setup()
    from django.db import connection, transaction
    from django.db.models import Q

    from nqihub.cases import corpus
    from nqihub.cases.models import Case, CaseTerm
    from nqihub.cases.services import case_index_terms
    from nqihub.cases.suggest import rank_cases, rank_experts, text_terms
    from nqihub.core.models import Organisation
    from nqihub.core.search import _jieba, segment
    from nqihub.directory.models import Expert

    rng = random.Random(args.seed)
    combos = [(p, pr, pa) for p in PRODUCTS for pr in PROBLEMS for pa in PARAMETERS]
    rng.shuffle(combos)
    report: dict = {
        "cases": args.cases,
        "queries": args.queries,
        "load_average": round(os.getloadavg()[0], 2),
    }
    with transaction.atomic():
        org = Organisation.objects.first()
        region = org.region_id
        # One expert per (product, problem): the right expert for a query.
        experts = {}
        existing = (
            dict(Expert.objects.filter(name__startswith="bench-").values_list("name", "pk"))
            if args.reuse
            else {}
        )
        for product in PRODUCTS:
            for problem, fix in PROBLEMS:
                if args.reuse:
                    experts[(product, problem)] = existing[f"bench-{product}-{problem}"]
                    continue
                e = Expert.objects.create(
                    organisation=org,
                    name=f"bench-{product}-{problem}",
                    region_id=region,
                    keywords=f"{product} {problem} {fix}",
                )
                e.search_text = segment(e.name, e.keywords)
                e.save(update_fields=["search_text"])
                experts[(product, problem)] = e.pk
        t0 = time.perf_counter()
        by_combo: dict = {}
        batch = []
        reused = (
            list(Case.objects.order_by("pk").values_list("pk", flat=True))[-args.cases :]
            if args.reuse
            else []
        )
        for i in range(args.cases):
            product, (problem, fix), param = combos[i % len(combos)]
            title, body = case_text(rng, product, problem, fix, param)
            if args.reuse:
                by_combo.setdefault((product, problem, param), set()).add(reused[i])
                continue
            case = Case(
                title=title,
                problem=body,
                solution=fix,
                result="",
                region_id=region,
                status=Case.Status.PUBLISHED,
            )
            # The same terms, frequencies and length as ``services.index_case`` gives a case.
            case.search_text, tfs, case.term_count = case_index_terms(case)
            batch.append((case, (product, problem, param), tfs))
            if len(batch) >= 2000 or i == args.cases - 1:
                created = Case.objects.bulk_create([c for c, _, _ in batch])
                terms = []
                for case, (_c, combo, tfs) in zip(created, batch, strict=True):
                    by_combo.setdefault(combo, set()).add(case.pk)
                    terms.extend(CaseTerm(case_id=case.pk, term=t[:64], tf=tf) for t, tf in tfs.items())
                CaseTerm.objects.bulk_create(terms, batch_size=5000)
                batch = []
        if not args.reuse:
            report["build_seconds"] = round(time.perf_counter() - t0, 1)
            # The cases were bulk-inserted past the services: recompute the corpus statistics once.
            t0 = time.perf_counter()
            corpus.rebuild()
            report["stats_rebuild_seconds"] = round(time.perf_counter() - t0, 1)
        t0 = time.perf_counter()
        with connection.cursor() as cur:
            cur.execute("ANALYZE")
        report["analyze_seconds"] = round(time.perf_counter() - t0, 1)
        used = list(by_combo)
        qrng = random.Random(args.seed + 1)  # the queries' own stream: the same texts for both sides
        held_out = [qrng.choice(used) for _ in range(args.queries)]
        held_out = [(query_text(qrng, *combo), combo) for combo in held_out]
        published = Case.objects.filter(status=Case.Status.PUBLISHED)
        bench_experts = Expert.objects.filter(pk__in=list(experts.values()))

        def measure(rank_case, rank_expert, q, combo, acc):
            product, problem, param = combo
            cpu_start = time.process_time()
            start = time.perf_counter()
            cases = rank_case(q)
            middle = time.perf_counter()
            exps = rank_expert(q)
            end = time.perf_counter()
            acc["cpu"].append((time.process_time() - cpu_start) * 1000)
            acc["lat"].append((end - start) * 1000)
            acc["lat_c"].append((middle - start) * 1000)
            acc["lat_e"].append((end - middle) * 1000)
            acc["hits_c"] += bool(set(cases) & by_combo[combo])
            acc["hits_e"] += experts[(product, problem)] in exps

        def result(acc):
            def p(values, share):
                values = sorted(values)
                return round(values[max(0, int(len(values) * share) - 1)], 1)

            return {
                "top5_case_hit_rate": round(acc["hits_c"] / len(held_out), 3),
                "top5_expert_hit_rate": round(acc["hits_e"] / len(held_out), 3),
                "p50_ms": round(statistics.median(acc["lat"]), 1),
                "p95_ms": p(acc["lat"], 0.95),
                "cpu_p50_ms": round(statistics.median(acc["cpu"]), 1),
                "cpu_p95_ms": p(acc["cpu"], 0.95),
                "cases_p50_ms": round(statistics.median(acc["lat_c"]), 1),
                "cases_p95_ms": p(acc["lat_c"], 0.95),
                "experts_p50_ms": round(statistics.median(acc["lat_e"]), 1),
                "experts_p95_ms": p(acc["lat_e"], 0.95),
            }

        def engine_cases(q):
            return [h.obj.pk for h in rank_cases(text_terms(q), published, limit=5)]

        def engine_experts(q):
            return [h.obj.pk for h in rank_experts(text_terms(q), None, limit=5, experts=bench_experts)]

        def words(q):
            return [w for w in _jieba().cut(q) if len(w.strip()) > 1]

        def naive_cases(q):
            cond = Q()
            for w in words(q):
                cond |= Q(title__icontains=w) | Q(problem__icontains=w)
            return list(published.filter(cond).order_by("-id").values_list("pk", flat=True)[:5])

        def naive_experts(q):
            cond = Q()
            for w in words(q):
                cond |= Q(keywords__icontains=w)
            return list(bench_experts.filter(cond).order_by("-id").values_list("pk", flat=True)[:5])

        accs = {
            k: {"cpu": [], "lat": [], "lat_c": [], "lat_e": [], "hits_c": 0, "hits_e": 0}
            for k in ("engine", "baseline_icontains")
        }
        for q, combo in held_out:  # interleaved: load from other work falls on both alike
            measure(engine_cases, engine_experts, q, combo, accs["engine"])
            measure(naive_cases, naive_experts, q, combo, accs["baseline_icontains"])
        report["engine"] = result(accs["engine"])
        report["baseline_icontains"] = result(accs["baseline_icontains"])
        transaction.set_rollback(not args.keep)
    print(json.dumps(report, ensure_ascii=False))


if __name__ == "__main__":
    main()
