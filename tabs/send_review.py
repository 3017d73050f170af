"""The Send to review buttons: the Batch tab's (a run) and each domain tab's (an answer).

What is sent goes into the team's review folder under the app's results root
(`workbench.eval.review_send`), which the Review tab lists; until then a run or an answer is
its user's own. Each handler returns the line to show beside its button and says the same in a
toast; a refusal is a warning toast and the line, marked ⚠️.
"""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import gradio as gr

from tabs.domain.context import AppContext
from tabs.wording import say
from workbench.batch.run import RESULTS
from workbench.eval.review_records import ReviewError
from workbench.eval.review_send import send_run, send_single_answer

log = logging.getLogger(__name__)
ROOT_NAME = "results"  # how the Review tab names the results root in its folder list


def send_batch_run(ctx: AppContext, sent_run: dict[str, Any] | None, language: str) -> str:
    """Copy a user's last batch run (`{"folder", "tab", "preset"}`) to review; return the line."""
    if not sent_run:
        return _refused(say("review.send.no_run", language))
    try:
        target = send_run(sent_run["folder"], ctx.results_root, sent_run["tab"], sent_run["preset"])
    except ReviewError as error:
        return _refused(error.text(language))
    except OSError as error:
        return _failed(ctx, error, language)
    rows = len((target / RESULTS).read_text(encoding="utf-8").splitlines())
    folder = _shown(ctx, target)
    return _sent(say("review.send.run_done", language, rows=rows, folder=folder))


def send_answer_to_review(
    ctx: AppContext,
    details: dict[str, Any] | None,
    image: dict[str, Any] | None,
    document: str | None,
    language: str,
) -> str:
    """Put the tab's last answer (its record, `details`) and its image into review's answers;
    return the line. The image is the file in the image box or the document, whichever the
    answer was about."""
    candidates = [(image or {}).get("image"), document]
    try:
        _, folder = send_single_answer(details or {}, candidates, ctx.results_root)
    except ReviewError as error:
        return _refused(error.text(language))
    except OSError as error:
        return _failed(ctx, error, language)
    name = (details or {}).get("image_name") or ""
    return _sent(say("review.send.answer_done", language, image=name, folder=_shown(ctx, folder)))


def _shown(ctx: AppContext, folder: Path) -> str:
    """Return a folder as the Review tab's list names it: "results/review/…"."""
    return f"{ROOT_NAME}/{folder.relative_to(ctx.results_root).as_posix()}"


def _sent(line: str) -> str:
    gr.Info(line)
    return f"✅ {line}"


def _refused(message: str) -> str:
    log.info("refused: %s", message)
    gr.Warning(message)
    return f"⚠️ {message}"


def _failed(ctx: AppContext, error: OSError, language: str) -> str:
    log.exception("sending to review failed")
    reason = error.strerror or str(error)
    return _refused(say("review.send.failed", language, folder=ctx.results_root, error=reason))
