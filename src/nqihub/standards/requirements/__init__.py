"""Requirement expressions (技术要求 / 限值): judge a result against one, and order two by strictness.

Pure: no Django, no files, no clock (OpenCC's bundled dictionaries are the only data read). A package by
concern: ``text`` (normalisation, Traditional → Simplified, exact numbers), ``units``, ``expressions``
(comparators, word lists), ``parsing`` (``parse_requirement``), ``intervals`` (results as intervals),
``sampling`` (n, c, m, M plans), ``declared`` (net content, declared values with a tolerance), ``fibres``
(declared fibre composition), ``evaluate`` and ``compare``.

* ``evaluate(requirement, value, unit=None)`` → :class:`Verdict` (``verdict`` is ``"pass"``, ``"fail"`` or
  ``"not_judged"``; ``reason`` is Chinese; ``label`` is 合格 / 不合格 / 不判定). It never raises on text:
  anything it cannot read is ``not_judged`` with the reason.
* ``compare(a, b)`` → :class:`Strictness` (a ``str`` enum: ``"stricter"``, ``"equal"``, ``"weaker"``,
  ``"incomparable"``): is requirement ``a`` stricter than ``b``? Decided on the sets of results each one
  allows: ``a`` is stricter when its set is a proper subset of ``b``'s, equal when the sets are the same.
  Hence antisymmetric (``compare(a, b) == "stricter"`` iff ``compare(b, a) == "weaker"``) and reflexive.
* ``parse_requirement(text, unit=None)`` → :class:`Requirement`, or ``ValueError`` with a Chinese reason.

What it reads (after NFKC: full-width digits, letters and punctuation, ``㎎/㎏``, ``µ`` are folded)::

    upper      ≤75  ≤ 75 mg/kg  ≦0.3  <=75  ＜0.1  ≯75  不大于/不超过/不高于/不多于/不得超过 75  最大 75  75以下
    lower      ≥95%  ≧95  >=95  >5  不小于/不低于/不少于 90%  大于 5  超过 5  最小 2  3以上
    range      75~300  75～300  75-300  75—300  75 至 300  0.5%~1.0%  -10~40 ℃  (4.0~8.5)  20±2  (20±2)℃  ±0.5
    equals     =7  等于7                (only with "="; a bare number is a maximum, see below)
    maximum    7  7 mg/kg  0.5mg/kg   (a bare limit, as 限量 columns print it)
    prose      管网末梢余量≥0.05  含量应不低于90%   (one comparator inside words)
    plans      n=5,c=2,m=10^4,M=10^5 CFU/g   n=5,c=0,m=0/25g
    declared   标注净含量500g   净含量：500 mL   标称值200g，允差±5%   500g（允许短缺量15g）
    fibres     65%棉 35%聚酯纤维   100%羊毛   纯棉
    none       /  —  无要求             (no requirement: not judged)
    not found  不得检出  不应检出  阴性  ND  0/25g  不得检出/25g
    text       符合  符合要求  无  无异味  不得有异物  禁用  具有该产品应有的色泽 …
    numbers    80  0.050  -18  1.0×10^4  1×10⁴  10^4  10⁵  1.5e3  30,000  2.77×102 / 4×10-5 (a superscript
               flattened by copying: "×10" followed directly by 1–2 digits, not starting with 0, is a power)
    text       Traditional characters are read as Simplified (不超過, 不得檢出, 個/g, 未檢出)

Results (``value``): ``80``, ``80 mg/kg``, ``<0.5`` / ``<0.5 (未检出)`` / ``未检出(检出限 0.5 mg/kg)`` (below the
limit of detection), ``未检出`` / ``ND`` / ``阴性``, ``检出`` / ``阳性``, ``>1.1×10^3`` (above the range),
``3-4`` / ``4级`` (colour-fastness grades), ``符合`` / ``合格`` / ``不合格``, free text for text requirements.

Decisions (change them here, nowhere else):

* **以上 / 以下 / 以内 include the number** (``75以下`` ≡ ``≤75``, ``3以上`` ≡ ``≥3``), as 民法典 第一千二百五十九条
  defines them (“所称的‘以上’、‘以下’、‘以内’……包括本数；所称的‘不满’、‘超过’、‘以外’，不包括本数”) and as
  Chinese standards use them. 超过 / 大于 / 高于 / 多于 are ``>``; 不满 / 小于 / 低于 / 少于 / 不足 are ``<``; every
  “不…” form (不超过, 不低于 …) includes the number.
* **Ranges include both ends**: ``75~300`` is ``75 ≤ x ≤ 300``; ``20±2`` is ``18 ≤ x ≤ 22`` (a unit anywhere in a
  ``±`` form applies to both numbers: ``20±2%`` is 18%~22%, not a relative tolerance). In ``75-300`` the dash is a
  range separator, never a minus sign: a sign is read only at the start of a number (``-10~-5``, ``-10-40``).
* **A bare number is a maximum** (``15`` ≡ ``≤15``, ``0.5mg/kg`` ≡ ``≤0.5 mg/kg``): limit columns (限值, 最大限量,
  标准规定的 0.5mg/kg) print bare numbers. A bare grade is a minimum (``4级`` ≡ ``≥4级``: fastness grades are
  better when higher). A 规定值 must be written ``=7`` or ``等于7``.
* **Prose around one comparator** is read (``管网末梢余量≥0.05`` ≡ ``≥0.05``); with two or more comparators the
  requirement stays text and a number is not judged against it.
* **No requirement** (``/``, ``—``, 无要求, 实测) is never judged: the report gives the data only.
* **Results that cannot be read are never judged** — a damaged number (``?.8μg/kg``, ``12.5.0``, ``7?5``) or a
  unit that is not a unit; a result with an unknown unit against a limit without one is not judged either.
* **No rounding** (GB/T 8170-2008 4.3.1 全数值比较法): numbers are read as :class:`~decimal.Decimal` and the result is
  compared exactly as given, so ``0.30000000000000004`` fails ``≤0.3``. The 修约值比较法 is not applied.
* **Colour-fastness grades** (GB/T 250 / GB/T 251 grey scales, GB 18401 “≥3-4 级”): ``N-(N+1)`` with N a digit
  1–4 is the half grade N.5 when it follows a comparator (``≥3-4`` — a comparator before a range means nothing
  else) or carries 级 (``3-4级``). A *result* of that shape is a half grade too (``3-4`` → 3.5), unless the
  requirement carries a unit other than 级. A bare ``3-4`` requirement without 级 stays the range 3~4.
* **Below the limit of detection.** ``<X`` (or ``≤X``) as a result is the interval [0, X): it passes an upper
  limit L when X ≤ L, fails a lower limit L when X ≤ L, passes 不得检出, and is ``not_judged`` when the limit lies
  inside [0, X) (“检出限高于限值”). For temperatures the interval is unbounded below. ``>X`` is (X, ∞).
  ``未检出`` / ``ND`` / ``阴性`` without a stated limit is “below any positive limit”: it passes a positive upper
  limit and 不得检出 and fails a positive lower limit — the laboratory is trusted to use a method whose limit of
  detection is fit for the requirement.
* **Uncertainty is not used**: a result written ``80±3`` is judged on 80 (simple acceptance).
* **Units** are converted only within one quantity: mass fraction (mg/kg = ppm = μg/g, g/kg, μg/kg, ppb, mg/g,
  %, ‰, g/100g, mg/100g); mass concentration (mg/L, μg/L, g/L, mg/mL, g/100mL, mg/100mL = mg/dL); volume fraction
  (%vol, %(v/v)); colony counts per gram (CFU/g, CFU/100g) and per millilitre (CFU/mL, CFU/100mL), and MPN per
  gram and per millilitre, four separate quantities; length, mass, volume, pressure, time; ℃ (no conversion);
  级. ``%`` means mass fraction. A unit missing on either side is taken to be the requirement's (the ``unit``
  argument supplies the requirement's unit when its text has none). Different quantities, or unknown units
  that differ, are ``not_judged`` (“单位不可换算：mg/kg 与 CFU/g”). Qualifiers in brackets — ``(以Pb计)``,
  ``(KOH)``, ``(以脂肪计)`` — are ignored.
* **不得检出** ≡ 不应检出 ≡ 阴性 ≡ ND ≡ ``0/25g`` (the sample mass is ignored). A result passes it when it is
  未检出 / ND / 阴性 / below the limit of detection / exactly 0, fails when it is 检出 / 阳性 / a positive number.
  In :func:`compare`, 不得检出 is stricter than any positive upper limit (and any range or lower limit that
  admits 0 and small positive values) of a concentration or count, and incomparable with everything else.
* **Text requirements** pass on the same text (ignoring spaces and punctuation) and on the laboratory's own
  conclusion 符合 / 合格 / 符合要求 (fail on 不符合 / 不合格). 无X (also 不得有X) passes 无 / 无X / 未见X / 未发现X and
  fails 有 / 有X / 有… naming the same thing (same last character: 有霉味 fails 无异味). 禁用 passes 未检出 / 未使用 and
  fails 检出 / 使用; a number against 禁用 is not judged (the limit behind 禁用 lives elsewhere, e.g. GB 18401's
  20 mg/kg). A result 不X / 非X / 未X fails the requirement X. Anything else is ``not_judged``.
* **Sampling plans**, **declared values** and **fibre compositions**: see the ``sampling``, ``declared`` and
  ``fibres`` modules for their rules and sources (GB 4789.1, JJF 1070, GB/T 29862). A result 符合 / 不符合
  given against them is the laboratory's own conclusion and is taken as such.
* :func:`compare` orders two sampling plans with the same n, c and class by m and M; declared values and
  compositions are only ``equal`` to themselves. It returns ``incomparable`` when either side cannot be parsed, when the kinds cannot be ordered
  (text vs numbers, lower vs upper limit), or when the units are different quantities. Two text requirements
  are ``equal`` when they say the same (符合 ≡ 符合要求 ≡ 合格; 不得有X ≡ 无X), otherwise incomparable.
"""

from .base import FAIL, LABELS, NOT_JUDGED, PASS, Kind, Requirement, Strictness, Verdict
from .compare import compare
from .evaluate import evaluate
from .parsing import parse_requirement

__all__ = [
    "FAIL",
    "LABELS",
    "NOT_JUDGED",
    "PASS",
    "Kind",
    "Requirement",
    "Strictness",
    "Verdict",
    "compare",
    "evaluate",
    "parse_requirement",
]
