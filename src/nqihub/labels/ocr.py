"""Read the text lines of a label photo on this server (no cloud OCR: government networks often have none).

``read_lines(image_bytes)`` → ``Reading(width, height, lines)``: every text line the PP-OCR models of
``rapidocr-onnxruntime`` find (detection, 0/180° classification, recognition; the ONNX models ship inside
the wheel, nothing is downloaded), with its four corner points and its axis-aligned box, in the coordinates
of the photo as a person sees it (EXIF orientation applied).

* The model is loaded once per process, lazily, under a lock (``engine()``), and reads one photo at a time;
  ``LABELS_OCR_THREADS`` (setting or environment variable; 0 = onnxruntime's default) sets its intra-op
  threads.
* JPEG, PNG, WebP and HEIC/HEIF (``pillow-heif``) are read with Pillow; the photo is downscaled so its long
  side is at most ``LABELS_OCR_MAX_SIDE`` (default 1800 px) before detection — a 12-megapixel phone photo is
  decoded at reduced size (JPEG draft mode), which keeps one photo within a few seconds on one core.
* ``UnreadableImage`` for bytes that are not a readable image (or an image larger than 60 megapixels).
"""

from __future__ import annotations

import os
import re
import threading
from dataclasses import dataclass, field
from io import BytesIO

MAX_PIXELS = 60_000_000
DEFAULT_MAX_SIDE = 1800

_lock = threading.Lock()
#: One photo at a time per process: the engine keeps per-call state (the detector's resize step), and the
#: model already uses the cores it is given (``LABELS_OCR_THREADS``).
_run_lock = threading.Lock()
_engine = None
_heif_registered = False


_O_AFTER_DIGIT = re.compile(r"(?<=\d)[Oo](?![A-Za-z])")
_O_BEFORE_DIGIT = re.compile(r"(?<![A-Za-z])[Oo](?=\d)")


def fix_digits(text: str) -> str:
    """The letter O read inside a number is the digit 0 (``9O天`` → ``90天``, ``：O769`` → ``：0769``)."""
    return _O_BEFORE_DIGIT.sub("0", _O_AFTER_DIGIT.sub("0", text))


class UnreadableImage(ValueError):
    """The bytes are not an image this reader can open."""


@dataclass
class Line:
    text: str
    score: float
    #: Four corner points [[x, y], …] (top-left, top-right, bottom-right, bottom-left), photo coordinates.
    quad: list[list[float]]

    @property
    def box(self) -> list[int]:
        """Axis-aligned box [x0, y0, x1, y1] in photo coordinates."""
        xs = [p[0] for p in self.quad]
        ys = [p[1] for p in self.quad]
        return [round(min(xs)), round(min(ys)), round(max(xs)), round(max(ys))]


@dataclass
class Reading:
    width: int
    height: int
    lines: list[Line] = field(default_factory=list)


def _setting(name: str, default: int) -> int:
    value = None
    try:
        from django.conf import settings

        if settings.configured:
            value = getattr(settings, name, None)
    except ImportError:  # pragma: no cover - used outside Django by the bench
        pass
    if value is None:
        value = os.environ.get(name)
    try:
        return int(value) if value not in (None, "") else default
    except (TypeError, ValueError):
        return default


def engine():
    """The OCR engine of this process (created on first use, once, thread-safely)."""
    global _engine
    if _engine is None:
        with _lock:
            if _engine is None:
                from rapidocr_onnxruntime import RapidOCR

                kwargs = {"print_verbose": False}
                threads = _setting("LABELS_OCR_THREADS", 0)
                if threads > 0:
                    kwargs.update(intra_op_num_threads=threads, inter_op_num_threads=1)
                _engine = RapidOCR(**kwargs)
    return _engine


def _register_heif() -> None:
    global _heif_registered
    if not _heif_registered:
        try:
            from pillow_heif import register_heif_opener

            register_heif_opener()
        except ImportError:  # pragma: no cover - the dependency is declared
            pass
        _heif_registered = True


def load_image(data: bytes, max_side: int | None = None):
    """The photo as an RGB Pillow image, upright (EXIF orientation applied), long side ≤ ``max_side``;
    returns ``(image, scale)`` where ``scale`` = original size / returned size."""
    from PIL import Image, ImageOps, UnidentifiedImageError

    _register_heif()
    max_side = max_side or _setting("LABELS_OCR_MAX_SIDE", DEFAULT_MAX_SIDE)
    try:
        img = Image.open(BytesIO(data))
        width, height = img.size
        if width * height > MAX_PIXELS or width < 1 or height < 1:
            raise UnreadableImage("too large")
        orientation = img.getexif().get(0x0112, 1)
        full_w, full_h = (height, width) if orientation in (5, 6, 7, 8) else (width, height)
        if img.format == "JPEG":
            img.draft("RGB", (max_side, max_side))  # DCT-scaled decoding: fast for 12 MP photos
        img = ImageOps.exif_transpose(img)
        img = img.convert("RGB")
    except UnreadableImage:
        raise
    except (UnidentifiedImageError, OSError, ValueError, SyntaxError, Image.DecompressionBombError) as exc:
        raise UnreadableImage(str(exc)) from exc
    long_side = max(img.size)
    if long_side > max_side:
        ratio = max_side / long_side
        img = img.resize(
            (max(1, round(img.size[0] * ratio)), max(1, round(img.size[1] * ratio))), Image.LANCZOS
        )
    scale = full_w / img.size[0]
    return img, scale, (full_w, full_h)


def read_lines(data: bytes) -> Reading:
    """Every text line of the photo, in the engine's order (``layout.reading_order`` sorts them)."""
    import numpy as np

    img, scale, (full_w, full_h) = load_image(data)
    bgr = np.asarray(img)[:, :, ::-1].copy()
    ocr = engine()
    with _run_lock:
        result, _elapse = ocr(bgr)
    lines = []
    for quad, text, score in result or []:
        text = fix_digits((text or "").strip())
        if not text:
            continue
        points = [[round(float(x) * scale, 1), round(float(y) * scale, 1)] for x, y in quad]
        lines.append(Line(text, float(score), points))
    return Reading(full_w, full_h, lines)
