"""Demo data of the stats app: a year of generated, finished service history across Guangxi, Jiangsu and
Hubei so that the dashboards have something to show. Called by ``load_demo`` after the directory's demo
world exists.

Everything is marked: demo enterprises, stations and organisations carry ``is_demo`` and 示例 in their
names; request numbers start with ``示例-`` and titles end with （示例）. The history is historical
(resolved, rated or closed), so no station's work queue fills up with open items. Rows are written with
``bulk_create`` and the rollups rebuilt once at the end (``rollups.rebuild``): well under a few seconds.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from nqihub.cooperatives.models import Member, MemberStatus
from nqihub.core.models import Organisation
from nqihub.core.regions import parent
from nqihub.desk.models import ServiceRequest
from nqihub.directory.models import Enterprise, Station, StationArea
from nqihub.directory.uscc import demo_uscc

from . import rollups
from .models import Target

#: The demo's yearly targets (示例): the province and Liuzhou, so that the dashboard shows progress.
DEMO_TARGETS = {
    "450000": {
        "enterprises_helped": 60,
        "resolved": 900,
        "problems_solved": 400,
        "sla_kept_rate": 90,
        "satisfaction_rate": 95,
    },
    "450200": {
        "enterprises_helped": 30,
        "resolved": 500,
        "problems_solved": 220,
        "sla_kept_rate": 85,
        "satisfaction_rate": 92,
    },
}


def _targets(today) -> None:
    for region, metrics in DEMO_TARGETS.items():
        for metric, value in metrics.items():
            Target.objects.update_or_create(
                region_id=region, year=today.year, metric=metric, defaults={"value": Decimal(value)}
            )


#: (county, industry class, product) of the generated demo enterprises: 3 per county.
COUNTIES = {
    # Guangxi: Liuzhou (螺蛳粉), Nanning, Guilin
    "450202": ("1431", "螺蛳粉"),
    "450203": ("1439", "方便食品"),
    "450204": ("1431", "螺蛳粉"),
    "450205": ("3311", "金属结构件"),
    "450206": ("1431", "螺蛳粉"),
    "450222": ("1351", "肉制品"),
    "450103": ("1524", "植物蛋白饮料"),
    "450107": ("2710", "原料药"),
    "450302": ("1439", "米粉"),
    "450305": ("1461", "调味品"),
    # Jiangsu: Nantong / Haimen home textiles, Suzhou, Nanjing
    "320614": ("1771", "床上用品"),
    "320612": ("1779", "家用纺织品"),
    "320505": ("3985", "电子材料"),
    "320506": ("3130", "钢材"),
    "320102": ("7320", "检测研发"),
    # Hubei: Wuhan, Yichang
    "420102": ("3985", "石墨烯膜"),
    "420106": ("3091", "碳素制品"),
    "420111": ("3089", "耐火材料"),
    "420502": ("2625", "微生物肥料"),
}

#: Demo stations besides the two of the seed's stories: (key, name, county, service area).
STATIONS = [
    ("station_nn", "南宁市质量服务站（示例）", "450103", ["450102", "450103", "450107"]),
    ("station_gl", "桂林市质量服务站（示例）", "450302", ["450302", "450305"]),
    ("station_sz", "苏州市质量服务站（示例）", "320505", ["320505", "320506"]),
    ("station_wc", "武汉武昌质量服务站（示例）", "420106", ["420106", "420111"]),
]

TOPICS = [
    ("testing", "产品检测与出厂检验咨询"),
    ("standards", "企业标准制定与对标"),
    ("metrology", "计量器具检定与校准"),
    ("certification", "产品认证与体系认证辅导"),
    ("quality_management", "质量管理体系建设"),
    ("testing,standards", "检测方法与标准适用性"),
    ("quality_management,testing", "生产过程质量控制"),
    ("certification,standards", "认证所需标准与技术文件"),
]

N_REQUESTS = 1200
NUMBER_PREFIX = "示例-"


def _stations() -> dict[str, object]:
    out = {}
    for key, name, county, area in STATIONS:
        org, _ = Organisation.objects.update_or_create(
            kind=Organisation.Kind.STATION, name=name, defaults={"region_id": county, "is_demo": True}
        )
        station, _ = Station.objects.update_or_create(
            organisation=org,
            defaults={
                "name": name,
                "host_organisation": "市场监督管理局（示例）",
                "region_id": county,
                "address": "（示例地址）",
                "is_demo": True,
            },
        )
        for code in area:
            StationArea.objects.get_or_create(station=station, region_id=code)
        out[key] = station
    return out


def _enterprises() -> list:
    out = []
    for county, (industry, product) in COUNTIES.items():
        for i in range(3):
            name = f"{product}示例企业{county}-{i + 1}"
            org, _ = Organisation.objects.update_or_create(
                kind=Organisation.Kind.ENTERPRISE, name=name, defaults={"region_id": county, "is_demo": True}
            )
            ent, _ = Enterprise.objects.update_or_create(
                organisation=org,
                defaults={
                    "uscc": demo_uscc(county, 5 + i, series=1),
                    "name": name,
                    "region_id": county,
                    "industry_id": industry,
                    "products": product,
                    "address": "（示例地址）",
                    "is_demo": True,
                    "search_text": f"{name} {product}",
                },
            )
            out.append(ent)
    return out


def _serving_station(county: str, stations: list, rng: random.Random):
    covering = [s for s, area in stations if county in area]
    return covering[0] if covering else None


def _give_to_cooperative_members(rows) -> None:
    """Half of the generated requests of the counties where the demo cooperative's invented members are
    (示例 in their names; not the seed's 悦瑟, whose account is a demo login) become those members'
    requests, so that the cooperative's figures have something to show. Same county: where a request is
    counted does not change."""
    members = list(
        Member.objects.filter(
            is_demo=True, status=MemberStatus.ACTIVE, enterprise__name__contains="示例"
        ).select_related("enterprise")
    )
    by_county: dict[str, list] = {}
    for m in members:
        by_county.setdefault(m.enterprise.region_id, []).append(m.enterprise)
    rng = random.Random(20260614)  # noqa: S311 — reproducible demo data, not security
    for req in rows:
        choices = by_county.get(req.region_id)
        if choices and rng.random() < 0.5:
            ent = rng.choice(choices)
            req.enterprise = ent
            req.industry_id = ent.industry_id or req.industry_id
            req.description = req.description.replace(req.product, ent.products, 1)
            req.product = ent.products
            req.search_text = f"{req.title} {ent.products} {ent.name}"


def seed_demo(today) -> None:
    """Idempotent: the generated history is replaced when present with another size."""
    _targets(today)
    existing = ServiceRequest.objects.filter(number__startswith=NUMBER_PREFIX)
    if existing.count() == N_REQUESTS:
        return
    with transaction.atomic():
        existing.delete()
        extra = _stations()
        enterprises = _enterprises()
        stations = [
            (s, set(s.areas.values_list("region_id", flat=True)))
            for s in Station.objects.filter(pk__in=[s.pk for s in extra.values()])
        ]
        stations += [
            (s, set(s.areas.values_list("region_id", flat=True)))
            for s in Station.objects.filter(is_demo=True).exclude(pk__in=[s.pk for s in extra.values()])
        ]
        all_stations = [s for s, _ in stations]
        rng = random.Random(20260101)  # noqa: S311 — reproducible demo data, not security
        tz = timezone.get_current_timezone()
        now = timezone.now()
        first = (today.replace(day=1) - datetime.timedelta(days=365)).replace(day=1)
        span_days = max(30, (today - first).days - 10)
        rows = []
        created = []
        for i in range(N_REQUESTS):
            ent = rng.choice(enterprises)
            county = ent.region_id
            station = _serving_station(county, stations, rng)
            if station is not None and rng.random() < 0.04:
                # Re-routed to a station of another region: counted where it was served.
                station = rng.choice([s for s in all_stations if s.pk != station.pk])
            handling = None if station is not None else parent(county)
            cats, topic = rng.choice(TOPICS)
            day = first + datetime.timedelta(days=int(rng.random() ** 0.8 * span_days))
            created_at = datetime.datetime.combine(
                day, datetime.time(8 + rng.randrange(9), rng.randrange(60)), tz
            )
            accepted_at = created_at + datetime.timedelta(
                hours=rng.choice([1, 2, 3, 4, 6, 8, 20, 26, 50, 75])
            )
            resolved_at = accepted_at + datetime.timedelta(hours=rng.randrange(24, 24 * 25))
            withdrawn = rng.random() < 0.03
            outcome = rng.choices(["solved", "partly_solved", "not_solved"], [0.8, 0.15, 0.05])[0]
            rating = rng.choices([5, 4, 3, 2, 1], [0.62, 0.25, 0.08, 0.03, 0.02])[0]
            rated = rng.random() < 0.85
            resolved_at = min(resolved_at, now - datetime.timedelta(hours=1))
            rated_at = resolved_at + datetime.timedelta(hours=rng.randrange(2, 72)) if resolved_at else None
            if rated_at and rated_at > now:
                rated_at = None
            status = "withdrawn" if withdrawn else ("closed" if rated and rated_at else "resolved")
            req = ServiceRequest(
                number=f"{NUMBER_PREFIX}{i + 1:06d}",
                enterprise=ent,
                region_id=county,
                categories=f",{cats},",
                industry_id=ent.industry_id,
                product=ent.products,
                title=f"{topic}（示例）",
                description=f"{ent.products}企业的{topic}需求（生成的示例数据）。",
                channel=rng.choice(["online", "online", "visit", "walk_in"]),
                status=status,
                station=station,
                handling_region_id=handling,
                routing_level="station" if station else "city",
                routing_reason="生成的示例数据",
                accept_by=day + datetime.timedelta(days=1),
                respond_by=day + datetime.timedelta(days=2),
                resolve_by=day + datetime.timedelta(days=20),
                accepted_at=None if withdrawn else accepted_at,
                first_response_at=None if withdrawn else accepted_at,
                resolved_at=None if withdrawn else resolved_at,
                closed_at=rated_at if status == "closed" else None,
                is_overdue=not withdrawn
                and resolved_at is not None
                and resolved_at.date() > day + datetime.timedelta(days=20),
                search_text=f"{topic} {ent.products} {ent.name}",
            )
            if status in ("resolved", "closed"):
                req.outcome = outcome
                req.technical_problem = rng.random() < 0.6
                req.cost_saved = Decimal(rng.randrange(0, 200000)) / 4 if rng.random() < 0.7 else None
                req.loss_avoided = Decimal(rng.randrange(0, 2000000)) / 2 if rng.random() < 0.5 else None
                req.summary = "已按需求提供服务（示例）。"
                if status == "closed":
                    req.rating_score, req.rated_at = rating, rated_at
            if req.is_overdue:
                req.overdue_kinds = ",resolve,"
            rows.append(req)
            created.append(created_at)
        _give_to_cooperative_members(rows)
        ServiceRequest.objects.bulk_create(rows, batch_size=500)
        # created_at is auto_now_add (overwritten by bulk_create): set the generated dates afterwards.
        for req, created_at in zip(rows, created, strict=True):
            req.created_at = created_at
        ServiceRequest.objects.bulk_update(rows, ["created_at"], batch_size=500)
        rollups.rebuild()
