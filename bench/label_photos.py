#!/usr/bin/env python
"""Label photos read on our own server: OCR + layout + the text engine, against the text path.

Each corpus entry (``src/nqihub/labels/tests/data/realworld/labels.jsonl``, real label texts) is rendered as
a printed label (Noto CJK, wrapped to the label's width, nutrition tables as tab-separated cells) and
photographed synthetically at 12 megapixels (4000 × 3000): placed on a textured background, rotated a few
degrees, seen in perspective, lit unevenly, blurred, with sensor noise and JPEG compression (quality 70–88).
Then ``check_photo`` reads it and the result is compared with the text path on the same (rendered) text:

* ``fields_vs_text`` — of the fields the text path reads from the label (from the corpus text, or from the
  text as printed, wrapped to the label's width: a wrap can cut a value, and the photo path joins wrapped
  lines back), the share the photo path reads with the same value (white space ignored, NFKC);
* ``fields_vs_printed_text`` — the same against the printed (wrapped) text alone;
* ``findings_same`` — share of photos whose set of finding codes equals the text path's;
* ``seconds`` p50/p95 per photo (decode + OCR + layout + check), and the distortion of each photo.

    taskset -c 0 env LABELS_OCR_THREADS=1 python bench/label_photos.py --limit 40
    python bench/label_photos.py --save /tmp/photos --limit 5     # keep the rendered photos

Prints JSON. Deterministic for a given --seed.
"""

from __future__ import annotations

import argparse
import io
import json
import math
import os
import random
import re
import statistics
import sys
import time
import unicodedata
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "src/nqihub/labels/tests/data/realworld/labels.jsonl"
FONTS = [
    "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc",
    "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc",
]


def _font(size: int, index: int = 0):
    from PIL import ImageFont

    for path in FONTS[index:] + FONTS[:index]:
        if os.path.exists(path):
            return ImageFont.truetype(path, size, index=2)  # SC face of the collection
    return ImageFont.load_default(size)


def _wrap(text: str, font, width: int, draw) -> list[str]:
    out = []
    for para in text.split("\n"):
        para = para.rstrip()
        if not para:
            continue
        if "\t" in para:
            out.append(para)
            continue
        line = ""
        for ch in para:
            if draw.textlength(line + ch, font=font) > width and line:
                out.append(line)
                line = ch
            else:
                line += ch
        if line:
            out.append(line)
    return out


def render_label(text: str, *, width: int = 1400, font_size: int = 34, serif: bool = False):
    """The text printed on a white label: returns (image, the text as printed, one line per row)."""
    from PIL import Image, ImageDraw

    font = _font(font_size, 1 if serif else 0)
    scratch = ImageDraw.Draw(Image.new("L", (10, 10)))
    margin = font_size
    lines = _wrap(text, font, width - 2 * margin, scratch)
    step = int(font_size * 1.5)
    img = Image.new("RGB", (width, 2 * margin + step * max(len(lines), 1)), (250, 248, 240))
    draw = ImageDraw.Draw(img)
    cell = (width - 2 * margin) // 3
    for i, line in enumerate(lines):
        y = margin + i * step
        if "\t" in line:
            for j, part in enumerate(line.split("\t")[:3]):
                draw.text((margin + j * cell, y), part, font=font, fill=(20, 20, 20))
            draw.line((margin, y + step - 4, width - margin, y + step - 4), fill=(90, 90, 90), width=2)
        else:
            draw.text((margin, y), line, font=font, fill=(20, 20, 20))
    return img, "\n".join(lines)


def photograph(
    label, rng: random.Random, size=(4000, 3000), quality: int | None = None
) -> tuple[bytes, dict]:
    """A phone photo of ``label``: background, rotation, perspective, uneven light, blur, noise, JPEG."""
    import numpy as np
    from PIL import Image, ImageFilter

    w, h = size
    angle = rng.uniform(-6, 6)
    fill = rng.uniform(0.62, 0.85)
    lw, lh = label.size
    scale = min(w * fill / lw, h * fill / lh)
    label = label.resize((int(lw * scale), int(lh * scale)), Image.BICUBIC)
    label = label.convert("RGBA").rotate(angle, expand=True, resample=Image.BICUBIC)
    bg_colour = tuple(int(rng.uniform(60, 160)) for _ in range(3))
    photo = Image.new("RGB", size, bg_colour)
    noise = Image.effect_noise((w // 8, h // 8), 30).resize(size).convert("RGB")
    photo = Image.blend(photo, noise, 0.15)
    x = (w - label.size[0]) // 2 + int(rng.uniform(-0.05, 0.05) * w)
    y = (h - label.size[1]) // 2 + int(rng.uniform(-0.05, 0.05) * h)
    photo.paste(label, (x, y), label)
    # perspective: move the corners by up to 4 % of the size
    k = rng.uniform(0.01, 0.04)
    d = [rng.uniform(-k, k) * s for s in (w, h, w, h, w, h, w, h)]
    src = [(0 + d[0], 0 + d[1]), (w + d[2], 0 + d[3]), (w + d[4], h + d[5]), (0 + d[6], h + d[7])]
    coeffs = _perspective_coeffs([(0, 0), (w, 0), (w, h), (0, h)], src)
    photo = photo.transform(size, Image.PERSPECTIVE, coeffs, Image.BICUBIC, fillcolor=bg_colour)
    # uneven light: a gradient from one corner
    arr = np.asarray(photo).astype(np.float32)
    yy, xx = np.mgrid[0:h:8, 0:w:8]
    cx, cy = rng.uniform(0, w), rng.uniform(0, h)
    dist = np.hypot(xx - cx, yy - cy) / math.hypot(w, h)
    light = Image.fromarray((255 * (1.0 - rng.uniform(0.25, 0.5) * dist)).astype(np.uint8)).resize(size)
    arr = arr * (np.asarray(light, dtype=np.float32)[:, :, None] / 255.0)
    arr += (
        rng.uniform(3, 8)
        * np.random.default_rng(rng.randrange(1 << 30)).standard_normal(arr.shape[:2])[:, :, None]
    )
    photo = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    blur = rng.uniform(0.8, 2.2)
    photo = photo.filter(ImageFilter.GaussianBlur(blur))
    quality = quality or rng.randint(70, 88)
    buf = io.BytesIO()
    photo.save(buf, "JPEG", quality=quality)
    return buf.getvalue(), {
        "angle": round(angle, 1),
        "perspective": round(k, 3),
        "blur": round(blur, 2),
        "jpeg_quality": quality,
    }


def _perspective_coeffs(dst, src):
    import numpy as np

    matrix = []
    for (x, y), (u, v) in zip(dst, src, strict=True):
        matrix.append([x, y, 1, 0, 0, 0, -u * x, -u * y])
        matrix.append([0, 0, 0, x, y, 1, -v * x, -v * y])
    a = np.array(matrix, dtype=float)
    b = np.array([c for p in src for c in p], dtype=float)
    return np.linalg.solve(a, b).tolist()


def label_text(row: dict) -> str:
    """The corpus text with its run-together 产品参数 blocks kept, and nutrition rows as table cells."""
    text = row["text"].replace("\\n", "\n").replace("|", "\t")
    text = re.sub(r"[ \t]*\t[ \t]*", "\t", text)
    return text


def _norm(value) -> str:
    if isinstance(value, list | dict):
        value = json.dumps(value, ensure_ascii=False, sort_keys=True)
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(value)))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--limit", type=int, default=0)
    parser.add_argument("--seed", type=int, default=19)
    parser.add_argument("--save", default="")
    parser.add_argument(
        "--font-size", type=int, default=34, help="print size on a 1400 px wide label (smaller = finer print)"
    )
    args = parser.parse_args(argv)
    sys.path.insert(0, str(ROOT / "src"))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "nqihub.settings")
    import django

    django.setup()
    from nqihub.labels import check_label, extract_fields
    from nqihub.labels.photo import check_photo

    rows = [json.loads(line) for line in CORPUS.open(encoding="utf-8") if line.strip()]
    rng = random.Random(args.seed)
    rng.shuffle(rows)
    if args.limit:
        rows = rows[: args.limit]
    seconds, cpu, expected_total, matched_total, same_findings, per = [], [], 0, 0, 0, []
    printed_total = printed_matched = 0
    for n, row in enumerate(rows):
        label, printed = render_label(label_text(row), serif=n % 3 == 2, font_size=args.font_size)
        photo, distortion = photograph(label, rng)
        if args.save:
            Path(args.save).mkdir(parents=True, exist_ok=True)
            Path(args.save, f"{row['id']}.jpg").write_bytes(photo)
        text_fields = extract_fields(row["category"], printed)
        text_findings = check_label(
            row["category"], text_fields, complete=row["complete"], standard_status={}
        )
        started, cpu_started = time.perf_counter(), time.process_time()
        photo_result = check_photo(photo, row["category"], complete=row["complete"], standard_status={})
        seconds.append(time.perf_counter() - started)
        cpu.append(time.process_time() - cpu_started)
        printed_fields = {k: _norm(v) for k, v in text_fields.items() if v not in ("", None, [], {})}
        original = {
            k: _norm(v)
            for k, v in extract_fields(row["category"], label_text(row)).items()
            if v not in ("", None, [], {})
        }
        got = {k: _norm(v) for k, v in (photo_result["extracted"] or {}).items()}
        # The label's fields as the text path reads them: from the text (unwrapped) and from the label as
        # printed (a wrap can cut a value; the photo path may read either).
        want = {k: {v, printed_fields.get(k)} for k, v in original.items()}
        for k, v in printed_fields.items():
            want.setdefault(k, {v})
        matched = [k for k in want if got.get(k) in want[k]]
        expected_total += len(want)
        matched_total += len(matched)
        printed_total += len(printed_fields)
        printed_matched += sum(1 for k in printed_fields if got.get(k) == printed_fields[k])
        codes_text = sorted({(f["field"], f["code"]) for f in text_findings})
        codes_photo = sorted({(f["field"], f["code"]) for f in photo_result["findings"]})
        same_findings += codes_text == codes_photo
        per.append(
            {
                "id": row["id"],
                "fields": f"{len(matched)}/{len(want)}",
                "missed": [k for k in want if k not in matched],
                "findings_same": codes_text == codes_photo,
                "seconds": round(seconds[-1], 2),
                "cpu_seconds": round(cpu[-1], 2),
                **distortion,
            }
        )
        print(f"{n + 1}/{len(rows)} {per[-1]}", file=sys.stderr)
    seconds.sort()
    cpu.sort()
    out = {
        "photos": len(rows),
        "megapixels": 12,
        "font_size": args.font_size,
        "threads": os.environ.get("LABELS_OCR_THREADS", "default"),
        "fields_vs_text": round(matched_total / max(expected_total, 1), 3),
        "fields_text_path": expected_total,
        "fields_photo_path": matched_total,
        "fields_vs_printed_text": round(printed_matched / max(printed_total, 1), 3),
        "findings_same": round(same_findings / max(len(rows), 1), 3),
        "seconds_p50": round(statistics.median(seconds), 2) if seconds else None,
        "seconds_p95": round(seconds[min(len(seconds) - 1, math.ceil(0.95 * len(seconds)) - 1)], 2)
        if seconds
        else None,
        "cpu_seconds_p50": round(statistics.median(cpu), 2) if cpu else None,
        "cpu_seconds_p95": round(cpu[min(len(cpu) - 1, math.ceil(0.95 * len(cpu)) - 1)], 2) if cpu else None,
        "load_average": os.getloadavg(),
        "per_photo": per,
    }
    print(json.dumps(out, ensure_ascii=False, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
