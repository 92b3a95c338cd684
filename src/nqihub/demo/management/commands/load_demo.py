"""Demo data from the seed article's stories. Re-runnable: records are found by name and updated.

Every record made here is flagged ``is_demo`` and shown as 示例. Organisation and company names are the
article's; people are invented and marked （示例）; identifiers (USCC, qualification numbers) are
synthetic — all-zero serials or an explicit 示例 marker — so none can be mistaken for a real one.
Method standards on scope lines are real standard numbers (see shared/data/standards_core.csv).
"""

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone

from nqihub.accounts.demo import DEFAULT_DEMO_PASSWORD, demo_password  # noqa: F401 (re-exported)
from nqihub.accounts.models import User
from nqihub.core.models import Industry, Membership, Organisation, Region
from nqihub.core.regions import NATIONAL
from nqihub.core.search import segment
from nqihub.directory.models import (
    Enterprise,
    Expert,
    Institution,
    Parameter,
    ProductCategory,
    Qualification,
    ScopeLine,
    Station,
    StationArea,
)
from nqihub.directory.services import expert_search_text, institution_search_text, station_search_text
from nqihub.directory.uscc import demo_uscc
from nqihub.directory.vocabulary import map_terms

#: username → (display name, organisation key, role, description for the login list)
DEMO_USERS: dict[str, tuple[str, str, str, str]] = {
    "admin": ("平台管理员（示例）", "platform", Membership.Role.PLATFORM_ADMIN, "平台管理员"),
    "reg_national": ("国家级监管人员（示例）", "reg_national", Membership.Role.REGULATOR, "国家级监管"),
    "reg_gx": ("广西监管人员（示例）", "reg_gx", Membership.Role.REGULATOR, "广西壮族自治区监管"),
    "reg_lz": ("柳州监管人员（示例）", "reg_lz", Membership.Role.REGULATOR, "柳州市监管"),
    "reg_chengzhong": (
        "城中区监管人员（示例）",
        "reg_chengzhong",
        Membership.Role.REGULATOR,
        "柳州市城中区监管",
    ),
    "station_lz": (
        "柳州服务站工作人员（示例）",
        "station_lz",
        Membership.Role.STATION_STAFF,
        "柳州螺蛳粉质量检测服务站",
    ),
    "expert_lz": ("韦工（示例）", "station_lz", Membership.Role.EXPERT, "柳州螺蛳粉专家服务队专家"),
    "lab_lz": (
        "柳州食品实验室检测员（示例）",
        "lab_lz",
        Membership.Role.INSTITUTION_STAFF,
        "柳州食品检验实验室（检测）",
    ),
    "lab_lz_review": (
        "柳州食品实验室审核员（示例）",
        "lab_lz",
        Membership.Role.INSTITUTION_STAFF,
        "柳州食品检验实验室（审核）",
    ),
    "lab_lz_approve": (
        "柳州食品实验室批准人（示例）",
        "lab_lz",
        Membership.Role.INSTITUTION_STAFF,
        "柳州食品检验实验室（批准）",
    ),
    "ent_shanyuan": (
        "善元食品联系人（示例）",
        "ent_shanyuan",
        Membership.Role.ENTERPRISE_USER,
        "善元食品有限公司",
    ),
    "station_wh": (
        "岱家山服务站工作人员（示例）",
        "station_wh",
        Membership.Role.STATION_STAFF,
        "武汉江岸岱家山科创城质量服务站",
    ),
    "expert_wh": ("陈工（示例）", "std_wh", Membership.Role.EXPERT, "武汉市标准化研究院专家"),
    "ent_hanxi": (
        "汉烯科技联系人（示例）",
        "ent_hanxi",
        Membership.Role.ENTERPRISE_USER,
        "武汉汉烯科技有限公司",
    ),
    "coop_haimen": (
        "海门家纺质量合作社管理员（示例）",
        "coop_haimen",
        Membership.Role.COOPERATIVE_ADMIN,
        "南通海门家纺质量合作社",
    ),
    "ent_yuese": ("周先生（示例）", "ent_yuese", Membership.Role.ENTERPRISE_USER, "南通悦瑟家居用品有限公司"),
    # Made by nqihub.metrology.demo.seed_demo together with its calibration body.
    "cal_lz": (
        "柳州计量机构人员（示例）",
        "",
        Membership.Role.INSTITUTION_STAFF,
        "柳州市计量检定测试机构（示例）",
    ),
}

#: name, synonyms
PARAMETERS = [
    ("甲醛含量", "甲醛、游离甲醛、游离和水解的甲醛、甲醛(游离)"),
    ("pH值", "pH、PH值、酸碱度"),
    ("耐水色牢度", "色牢度(耐水)"),
    ("耐汗渍色牢度", "色牢度(耐汗渍)"),
    ("耐干摩擦色牢度", "耐摩擦色牢度(干摩)"),
    ("异味", "气味"),
    ("可分解致癌芳香胺染料", "禁用偶氮染料、偶氮染料"),
    ("纤维含量", "纤维成分及含量、纤维成分"),
    ("菌落总数", "细菌总数"),
    ("大肠菌群", ""),
    ("霉菌和酵母", "霉菌、酵母、霉菌和酵母计数"),
    ("商业无菌", ""),
    ("过氧化值", ""),
    ("酸价", "酸值"),
    ("水分", "水分含量"),
    ("铅", "铅(以Pb计)、Pb"),
    ("苯甲酸及其钠盐", "苯甲酸"),
    ("山梨酸及其钾盐", "山梨酸"),
    ("导热系数", "热导率、导热率"),
    ("厚度", ""),
]
PRODUCTS = [
    ("纺织品", "纺织产品、家用纺织品、家纺、床上用品、服装、针织品"),
    ("米粉制品", "螺蛳粉、预包装螺蛳粉、柳州螺蛳粉、米粉、米线"),
    ("食品", "预包装食品、方便食品"),
    ("石墨烯材料", "石墨烯膜、导热石墨烯膜、导热膜"),
]

FOOD_LAB_SCOPE = [
    # product, parameter, method standard (real standard numbers), limitation
    ("米粉制品", "菌落总数", "GB 4789.2-2022", ""),
    ("米粉制品", "大肠菌群", "GB 4789.3", ""),
    ("米粉制品", "霉菌和酵母", "GB 4789.15", ""),
    ("米粉制品", "商业无菌", "GB 4789.26", ""),
    ("米粉制品", "水分", "GB 5009.3-2016", ""),
    ("米粉制品", "过氧化值", "GB 5009.227", "以脂肪计"),
    ("米粉制品", "酸价", "GB 5009.229", "以脂肪计"),
    ("米粉制品", "铅", "GB 5009.12", ""),
    ("米粉制品", "苯甲酸及其钠盐", "GB 5009.28", ""),
    ("米粉制品", "山梨酸及其钾盐", "GB 5009.28", ""),
    ("食品", "菌落总数", "GB 4789.2-2022", ""),
    ("食品", "水分", "GB 5009.3-2016", ""),
]
TEXTILE_LAB_SCOPE = [
    ("纺织品", "甲醛含量", "GB/T 2912.1-2009", "游离和水解的甲醛（水萃取法）"),
    ("纺织品", "pH值", "GB/T 7573", ""),
    ("纺织品", "耐水色牢度", "GB/T 5713", ""),
    ("纺织品", "耐汗渍色牢度", "GB/T 3922", ""),
    ("纺织品", "耐干摩擦色牢度", "GB/T 3920", ""),
    ("纺织品", "异味", "GB 18401-2010", ""),
    ("纺织品", "可分解致癌芳香胺染料", "GB/T 17592", ""),
    ("纺织品", "纤维含量", "GB/T 2910", "二组分及多组分混纺产品"),
]
GX_TEXTILE_SCOPE = [
    ("纺织品", "甲醛含量", "GB/T 2912.1-2009", ""),
    ("纺织品", "pH值", "GB/T 7573", ""),
]
WH_MATERIAL_SCOPE = [
    ("石墨烯材料", "导热系数", "", "示例：方法按委托方企业标准"),
    ("石墨烯材料", "厚度", "", ""),
]


class Command(BaseCommand):
    help = "载入示例数据（种子文章中的柳州、南通海门、武汉故事）。可重复运行。"

    def handle(self, *args, **options):
        if not Region.objects.filter(code="450200").exists():
            call_command("load_reference", stdout=self.stdout)
        with transaction.atomic():
            self.build()
        self.stdout.write(self.style.SUCCESS(f"demo data loaded: {len(DEMO_USERS)} demo users"))

    # --- helpers -------------------------------------------------------------------------------
    def org(self, key: str, kind: str, name: str, region: str) -> Organisation:
        org, _ = Organisation.objects.update_or_create(
            kind=kind, name=name, defaults={"region_id": region, "is_demo": True}
        )
        self.orgs[key] = org
        return org

    def vocab(self) -> None:
        for model, rows in ((Parameter, PARAMETERS), (ProductCategory, PRODUCTS)):
            for name, synonyms in rows:
                model.objects.update_or_create(name=name, defaults={"synonyms": synonyms})

    def scope(self, institution: Institution, lines) -> None:
        for product, parameter, method, limitation in lines:
            product_id, parameter_id = map_terms(product, parameter)
            ScopeLine.objects.update_or_create(
                institution=institution,
                product_text=product,
                parameter_text=parameter,
                method_standard=method,
                defaults={
                    "limitation": limitation,
                    "region_id": institution.region_id,
                    "product_id": product_id,
                    "parameter_id": parameter_id,
                    "method_code": method,
                },
            )

    def enterprise(
        self, key: str, name: str, region: str, industry: str, serial: int, address: str, products: str
    ) -> Enterprise:
        org = self.org(key, Organisation.Kind.ENTERPRISE, name, region)
        ent, _ = Enterprise.objects.update_or_create(
            organisation=org,
            defaults={
                "uscc": demo_uscc(region, serial),
                "name": name,
                "region_id": region,
                "industry_id": industry,
                "scale": Enterprise.Scale.SMALL,
                "address": address,
                "products": products,
                "is_demo": True,
            },
        )
        ent.search_text = segment(ent.name, ent.uscc, ent.address, ent.products, ent.industry.name)
        ent.save(update_fields=["search_text"])
        return ent

    def institution(
        self, key: str, name: str, kind: str, region: str, address: str, description: str, *, cma="", scope=()
    ) -> Institution:
        """An institution with, when given, its CMA qualification (a 示例 number) and its scope lines."""
        org = self.org(key, Organisation.Kind.INSTITUTION, name, region)
        inst, _ = Institution.objects.update_or_create(
            organisation=org,
            defaults={
                "name": name,
                "kind": kind,
                "region_id": region,
                "address": address,
                "description": description,
                "is_demo": True,
            },
        )
        inst.search_text = institution_search_text(inst)
        inst.save(update_fields=["search_text"])
        if cma:
            Qualification.objects.update_or_create(
                institution=inst, kind=Qualification.Kind.CMA, defaults={"number": cma, "is_demo": True}
            )
        self.scope(inst, scope)
        return inst

    def station(
        self,
        key: str,
        name: str,
        host: str,
        region: str,
        area: list[str],
        industries: list[str],
        specialty: str,
        address: str,
    ) -> Station:
        org = self.org(key, Organisation.Kind.STATION, name, region)
        st, _ = Station.objects.update_or_create(
            organisation=org,
            defaults={
                "name": name,
                "host_organisation": host,
                "region_id": region,
                "specialty": specialty,
                "address": address,
                "opening_hours": "工作日 8:30–12:00，14:30–17:30",
                "is_demo": True,
            },
        )
        for code in area:
            StationArea.objects.get_or_create(station=st, region_id=code)
        st.industries.set(Industry.objects.filter(code__in=industries))
        st.search_text = station_search_text(st)
        st.save(update_fields=["search_text"])
        return st

    def expert(
        self,
        name: str,
        org: Organisation,
        region: str,
        title: str,
        elements: list[str],
        industries: list[str],
        keywords: str,
        bio: str,
        user: User | None = None,
    ) -> Expert:
        ex, _ = Expert.objects.update_or_create(
            name=name,
            organisation=org,
            defaults={
                "title": title,
                "region_id": region,
                "keywords": keywords,
                "bio": bio,
                "is_demo": True,
                "user": user,
            },
        )
        ex.set_elements(elements)
        ex.industries.set(Industry.objects.filter(code__in=industries))
        ex.search_text = expert_search_text(ex)
        ex.save()
        return ex

    # --- the stories -----------------------------------------------------------------------------
    def build(self) -> None:
        self.orgs: dict[str, Organisation] = {}
        self.vocab()
        K = Organisation.Kind
        self.org("platform", K.PLATFORM, "NQI Hub 平台运营（示例）", NATIONAL)
        self.org("reg_national", K.REGULATOR, "国家市场监督管理总局（示例账户）", NATIONAL)
        self.org("reg_gx", K.REGULATOR, "广西壮族自治区市场监督管理局（示例账户）", "450000")
        self.org("reg_lz", K.REGULATOR, "柳州市市场监督管理局（示例账户）", "450200")
        self.org("reg_chengzhong", K.REGULATOR, "柳州市城中区市场监督管理局（示例账户）", "450202")

        # Liuzhou 螺蛳粉: the station serves all of Liuzhou; its expert team; a food lab.
        liuzhou_counties = list(Region.objects.filter(parent_id="450200").values_list("code", flat=True))
        st_lz = self.station(
            "station_lz",
            "广西柳州螺蛳粉质量检测服务站",
            "柳州市市场监督管理局（示例）",
            "450204",
            liuzhou_counties,
            ["1431", "1439"],
            "螺蛳粉",
            "广西柳州市柳南区（示例地址）",
        )
        self.institution(
            "lab_lz",
            "柳州市食品检验检测实验室（示例）",
            Institution.Kind.TESTING,
            "450204",
            "广西柳州市柳南区（示例地址）",
            "承担螺蛳粉等米粉制品及预包装食品的微生物、理化检验（示例机构）。",
            cma="示例-CMA-LZ-0001",
            scope=FOOD_LAB_SCOPE,
        )
        shanyuan = self.enterprise(
            "ent_shanyuan",
            "善元食品有限公司",
            "450204",
            "1431",
            1,
            "广西柳州市（示例地址）",
            "预包装柳州螺蛳粉",
        )

        # Nantong / Haimen home textiles: the cooperative, 悦瑟, a textile lab.
        coop = self.org("coop_haimen", K.COOPERATIVE, "南通海门家纺质量合作社", "320614")
        yuese = self.enterprise(
            "ent_yuese",
            "南通悦瑟家居用品有限公司",
            "320614",
            "1771",
            2,
            "江苏省南通市海门区（示例地址）",
            "床上用品、家纺（朵芮雅）",
        )
        tex_lab = self.institution(
            "lab_nt",
            "南通纺织品检测实验室（示例）",
            Institution.Kind.TESTING,
            "320614",
            "江苏省南通市海门区（示例地址）",
            "纺织品、家用纺织品的安全与质量检测（示例机构）。",
            cma="示例-CMA-NT-0001",
            scope=TEXTILE_LAB_SCOPE,
        )
        self.institution(
            "lab_nn",
            "南宁纺织品检测实验室（示例）",
            Institution.Kind.TESTING,
            "450103",
            "广西南宁市（示例地址）",
            "纺织品检测（示例机构）。",
            scope=GX_TEXTILE_SCOPE,
        )

        # Wuhan 江岸 岱家山: the station, 汉烯科技, the standardisation institute and its expert.
        jiangan = ["420102"]
        st_wh = self.station(
            "station_wh",
            "武汉江岸岱家山科创城质量服务站",
            "武汉市江岸区市场监督管理局（示例）",
            "420102",
            jiangan,
            ["3985", "3091", "7320"],
            "新材料、科技型中小企业",
            "湖北省武汉市江岸区岱家山科创城（示例地址）",
        )
        hanxi = self.enterprise(
            "ent_hanxi",
            "武汉汉烯科技有限公司",
            "420102",
            "3985",
            3,
            "湖北省武汉市江岸区（示例地址）",
            "导热石墨烯膜",
        )
        wh_std = self.institution(
            "std_wh",
            "武汉市标准化研究院",
            Institution.Kind.STANDARDISATION,
            "420102",
            "湖北省武汉市（示例地址）",
            "企业标准、地方标准起草与标准化咨询（示例记录）。",
            scope=WH_MATERIAL_SCOPE,
        )

        # Users and memberships.
        password = demo_password()
        for username, (display, org_key, role, _desc) in DEMO_USERS.items():
            if not org_key:
                continue
            user, created = User.objects.get_or_create(username=username, defaults={"display_name": display})
            user.display_name = display
            user.set_password(password)
            user.is_staff = username == "admin"
            user.is_superuser = username == "admin"
            user.save()
            Membership.objects.get_or_create(user=user, organisation=self.orgs[org_key], role=role)

        # Experts: the Liuzhou team (one has the expert_lz login), the Wuhan standardisation expert.
        self.expert(
            "韦工（示例）",
            st_lz.organisation,
            "450204",
            "高级工程师",
            ["testing", "quality", "standards"],
            ["1431", "1439"],
            "螺蛳粉 保质期 杀菌工艺 微生物控制 预包装 生产流程",
            "柳州螺蛳粉专家服务队成员，擅长预包装螺蛳粉保质期延长、杀菌与微生物控制（示例专家）。",
            user=User.objects.get(username="expert_lz"),
        )
        self.expert(
            "覃工（示例）",
            st_lz.organisation,
            "450205",
            "工程师",
            ["standards", "quality"],
            ["1431"],
            "螺蛳粉 地方标准 标签 食品安全标准",
            "熟悉柳州螺蛳粉地方标准与预包装食品标签（示例专家）。",
        )
        self.expert(
            "陈工（示例）",
            wh_std.organisation,
            "420102",
            "高级工程师",
            ["standards", "certification"],
            ["3985", "3091"],
            "企业标准 石墨烯 导热膜 标准起草 质量认证 自我声明",
            "武汉市标准化研究院专家，协助企业起草企业标准并完成认证（示例专家）。",
            user=User.objects.get(username="expert_wh"),
        )
        self.expert(
            "沈工（示例）",
            tex_lab.organisation,
            "320614",
            "工程师",
            ["testing", "quality"],
            ["1771", "1779"],
            "家纺 床上用品 标识标签 甲醛 色牢度 纤维含量",
            "家纺产品检测与标识标签指导（示例专家）。",
        )
        # Each domain app seeds its part of the stories, dated from today.
        today = timezone.localdate()
        from nqihub.metrology.demo import seed_demo as seed_metrology

        seed_metrology(today)
        try:
            from nqihub.certification.demo import seed_demo as seed_certification
        except ImportError:
            seed_certification = None
        if seed_certification is not None:
            seed_certification(today)
        from nqihub.cases.demo import seed_demo as seed_cases

        seed_cases(today)
        # Testing first (its report is part of the 螺蛳粉 story), then the cooperative's year (its free
        # testing makes test orders), then the statistics' generated year of history.
        from nqihub.cooperatives.demo import seed_demo as seed_cooperatives
        from nqihub.stats.demo import seed_demo as seed_stats
        from nqihub.testing.demo import seed_demo as seed_testing

        seed_testing(today)
        seed_cooperatives(today)
        seed_stats(today)
        from nqihub.drafting.demo import seed_demo as seed_drafting

        seed_drafting(today)
        # Keep the variables referenced for readability of the stories above.
        del shanyuan, yuese, hanxi, coop, st_wh
