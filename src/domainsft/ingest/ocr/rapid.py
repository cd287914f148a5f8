"""RapidOCR (PP-OCR ONNX models run by onnxruntime), configured to never touch the network.

RapidOCR downloads a model whenever ``Det/Rec/Cls.model_path`` is unset (it then looks the
model up by name in ``default_models.yaml`` and fetches it if the file or its checksum is
missing). Every path is therefore set explicitly to the files bundled in the wheel's
``rapidocr/models`` folder; a missing file raises instead of downloading.

Tuning, measured on rasterised pages of the real reports in ``shared/data`` (see the module
tests and the report of the change that added this file):

* no angle classifier: rendered PDF pages are upright, and it costs a pass over every box;
* detection on the page scaled so its longer side is 1600 px (recognition still reads crops
  cut from the full-resolution render): detection time grows faster than the pixel count;
  at 1280 px it was 15 % faster but merged two adjacent table cells into one misread figure
  and dropped the "一、" of a heading, at 960 px it lost small table text, and the full
  200-dpi page (RapidOCR's default) was 40 % slower for no figure more read exactly;
* no global downscale of the input (RapidOCR's default caps it at 2000 px, which would shrink
  the crops of a 200-dpi A4 render before recognition);
* recognition batch of 1: crops of very different widths padded to the widest in a batch
  cost more than the batching saves on CPU;
* one onnxruntime intra-op thread by default, because the ingest pipeline runs one worker
  process per core.

Two repairs of known recogniser weaknesses follow recognition: nil dashes in table cells are
recovered from the image (``dashes``), and a lone "S" in front of a figure is read as "$".
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from domainsft.ingest.ocr.base import OcrLine
from domainsft.ingest.ocr.dashes import find_dashes
from domainsft.ingest.ocr.layout import group_rows
from domainsft.utils.imports import require

if TYPE_CHECKING:
    from PIL import Image

DET_MODEL = "PP-OCRv6_det_small.onnx"
REC_MODEL = "PP-OCRv6_rec_small.onnx"
CLS_MODEL = "ch_ppocr_mobile_v2.0_cls_mobile.onnx"

DET_LIMIT_SIDE = 1600
MAX_SIDE = 8000
TEXT_SCORE = 0.5  # RapidOCR's own default: below it boxes are mostly noise or lone symbols
DOLLAR_GAP = 4.0  # x box height: "$" sits at the column's left, the figure is right-aligned
_FIGURE_START = re.compile(r"\s*[(\-—–]?\d")


class RapidOcrEngine:
    """Loads the three ONNX sessions once; ``recognize`` is then ~1-5 s per A4 page."""

    def __init__(self, threads: int = 1, params: dict[str, Any] | None = None):
        rapidocr = require("rapidocr", "ingest")
        require("onnxruntime", "ingest")
        _limit_opencv_threads(threads)
        self._ocr = rapidocr.RapidOCR(params={**default_params(threads), **(params or {})})

    def recognize(self, image: Image.Image) -> list[OcrLine]:
        if image.mode not in ("L", "RGB"):  # RapidOCR reads a palette image as grey indices
            image = image.convert("RGB")
        result = self._ocr(image)
        if getattr(result, "boxes", None) is None or result.txts is None:
            return []  # nothing detected on the page
        boxes = [
            OcrLine(text, _bbox(box), float(score))
            for box, text, score in zip(result.boxes, result.txts, result.scores, strict=True)
        ]
        return fix_dollar_signs(boxes + find_dashes(image, boxes))


def fix_dollar_signs(boxes: list[OcrLine]) -> list[OcrLine]:
    """A box reading just "S" right before a figure on its row is a "$" misread.

    US statements print "$" alone at the left of a column; the recogniser, seeing one glyph
    without context, reads it as "S" about half the time.
    """
    fixed = []
    for row in group_rows(boxes):
        for left, right in zip(row, [*row[1:], None], strict=True):
            if left.text.strip() == "S" and right is not None and _figure_follows(left, right):
                left = OcrLine("$", left.bbox, left.score)
            fixed.append(left)
    return fixed


def _figure_follows(left: OcrLine, right: OcrLine) -> bool:
    gap = right.bbox[0] - left.bbox[2]
    return gap <= DOLLAR_GAP * left.height and _FIGURE_START.match(right.text) is not None


def default_params(threads: int = 1) -> dict[str, Any]:
    """RapidOCR ``params`` overrides: bundled models only, upright pages, ``threads`` threads."""
    models = model_dir()
    params: dict[str, Any] = {
        "Global.use_cls": False,
        # Its INFO log names every model file on every load, and it warns on every blank page.
        "Global.log_level": "error",
        "Global.max_side_len": MAX_SIDE,
        "Global.text_score": TEXT_SCORE,
        "Global.model_root_dir": str(models),
        "Det.limit_type": "max",
        "Det.limit_side_len": DET_LIMIT_SIDE,
        "Rec.rec_batch_num": 1,
        "EngineConfig.onnxruntime.intra_op_num_threads": threads,
        "EngineConfig.onnxruntime.inter_op_num_threads": 1,
    }
    for section, name in (("Det", DET_MODEL), ("Rec", REC_MODEL), ("Cls", CLS_MODEL)):
        params[f"{section}.model_path"] = str(_bundled(models, name))
    return params


def model_dir() -> Path:
    """The ``models`` folder inside the installed rapidocr package."""
    rapidocr = require("rapidocr", "ingest")
    return Path(rapidocr.__file__).resolve().parent / "models"


def _bundled(models: Path, name: str) -> Path:
    path = models / name
    if not path.is_file():
        raise FileNotFoundError(
            f"RapidOCR model {path} is missing; this code only uses the models bundled in the "
            "rapidocr wheel and never downloads. Reinstall with `pip install 'domainsft[ingest]'`."
        )
    return path


def _bbox(quad: Any) -> tuple[float, float, float, float]:
    pts = np.asarray(quad, dtype=float)  # four corners, clockwise from top-left
    return (
        float(pts[:, 0].min()),
        float(pts[:, 1].min()),
        float(pts[:, 0].max()),
        float(pts[:, 1].max()),
    )


def _limit_opencv_threads(threads: int) -> None:
    # RapidOCR resizes and crops with OpenCV, whose own pool would otherwise use every core in
    # every worker process.
    cv2 = require("cv2", "ingest", package="opencv-python")
    cv2.setNumThreads(threads)
