"""Batch run folders made by hand for the review tests: rows with records carrying "confidence"
as the contract between the confidence and review work gives it, and the images they asked about.
"""

from __future__ import annotations

import json
from dataclasses import asdict
from pathlib import Path
from typing import Any

from PIL import Image, ImageDraw

from workbench.batch.run import RESULTS, Row
from workbench.intake import file_digest
from workbench.prompts.presets import load_all

TAB, PRESET = "receipts", "Extract all fields"
SIZE = (400, 300)


def receipt_json(total: float, merchant: str = "Corner Shop") -> dict[str, Any]:
    """Return a receipt answer as the model's JSON; its first item holds a box."""
    item = {"name": "Tea", "qty": 1, "unit_price": total, "amount": total}
    return {
        "merchant": merchant,
        "date": "2024-05-01",
        "currency": "EUR",
        "items": [item | {"bbox_2d": [100, 300, 900, 400]}],
        "discounts": [],
        "subtotal": total,
        "tax_rate": 0,
        "tax": 0,
        "total": total,
    }


def value(at: str, got: Any, level: str, score: float) -> dict[str, Any]:
    """Return one value's confidence, as the contract writes it."""
    signals = {"tokens": score, "ocr": 1.0, "agreement": None, "checks": 1.0}
    return {"at": at, "value": got, "score": score, "level": level, "reasons": ["tokens"]} | {
        "signals": signals,
        "abstained": False,
    }


def record(
    image: Path, parsed: dict[str, Any], values: list[dict[str, Any]], confidence: bool = True
) -> dict[str, Any]:
    """Return a result record of a receipt answer about `image`."""
    question = load_all()[TAB].get(PRESET).prompt("en")[1]
    made = {
        "tab": TAB,
        "preset": PRESET,
        "language": "en",
        "question": question,
        "image_name": image.name,
        "image_sha256": file_digest(image),
        "image_size": list(SIZE),
        "region": None,
        "parsed": parsed,
        "boxes": [{"label": "Tea", "box": [40, 90, 360, 120]}],
        "evidence": {
            "values": [
                {
                    "at": "$.total",
                    "value": parsed["total"],
                    "found": True,
                    "box": [300, 250, 380, 280],
                    "model_box_off": False,
                }
            ],
            "found": 1,
            "total": 1,
        },
    }
    if confidence:
        made["confidence"] = {"threshold": None, "values": values}
    return made


def picture(path: Path, colour: str = "white") -> Path:
    """Draw a receipt-like picture at `path`."""
    path.parent.mkdir(parents=True, exist_ok=True)
    image = Image.new("RGB", SIZE, colour)
    ImageDraw.Draw(image).text((20, 20), f"{path.stem} TOTAL", fill="black")
    image.save(path)
    return path


# Four receipts: their lowest level and score order the queue c, a, d, b.
LEVELS = {
    "a": [("$.total", "check", 0.6), ("$.merchant", "high", 0.95)],
    "b": [("$.total", "high", 0.97), ("$.merchant", "high", 0.92)],
    "c": [("$.total", "low", 0.2), ("$.items[0].amount", "check", 0.55)],
    "d": [("$.total", "check", 0.7), ("$.merchant", "high", 0.9)],
}
TOTALS = {"a": 12.5, "b": 3.0, "c": 40.0, "d": 7.25}


def make_run(folder: Path, confidence: bool = True, failed: bool = True) -> Path:
    """Write a batch run folder (results.jsonl, the pictures beside it) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    lines = []
    for name, levels in LEVELS.items():
        image = picture(folder.parent / f"{folder.name}-scans" / f"{name}.png")
        parsed = receipt_json(TOTALS[name])
        got = {"$.total": parsed["total"], "$.merchant": parsed["merchant"]}
        got["$.items[0].amount"] = parsed["items"][0]["amount"]
        values = [value(at, got[at], level, score) for at, level, score in levels]
        row = Row(str(image.resolve()), f"scans/{name}.png", ok=True, valid=True)
        row_fields = {"merchant": parsed["merchant"], "total": parsed["total"]}
        data = asdict(row) | {"fields": row_fields}
        lines.append(data | {"record": record(image, parsed, values, confidence)})
    if failed:
        broken = Row("/nowhere/e.png", "scans/e.png", error="cannot be read")
        lines.append(asdict(broken) | {"record": None})
    text = "".join(json.dumps(line) + "\n" for line in lines)
    (folder / RESULTS).write_text(text, encoding="utf-8")
    return folder
