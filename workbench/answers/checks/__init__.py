"""Domain checks on a parsed answer: do a receipt's sums add up, is a gauge past its threshold.

Every check returns a list: one CheckResult, or none when a field it needs is missing or null
(that is the schema validator's to report; a check with nothing to check stays quiet). A field
that is there but is not a number is a failed check that names it. Money is compared in Decimal
cents, never in floats. A result words itself in English or Chinese (`result.text("zh")`), and
`check_title(name, language)` titles it; every sentence is in `wording.CHECK_SENTENCES`.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from workbench.answers.checks._base import DIRECTIONS, CheckContext, CheckResult
from workbench.answers.checks._numbers import CENT, MONEY_TOLERANCE, TAX_TOLERANCE
from workbench.answers.checks.capital_amounts import (
    CapitalAmountError,
    format_capital_amount,
    parse_capital_amount,
)
from workbench.answers.checks.gauges import check_gauge, threshold_alarm, value_in_scale
from workbench.answers.checks.homework import (
    check_homework,
    final_answer_parses,
    parse_final_answer,
    verdicts_agree,
)
from workbench.answers.checks.receipts import (
    check_receipt,
    item_amounts,
    items_sum,
    tax_rate,
    total_adds_up,
)
from workbench.answers.checks.screenshots import (
    boxes_inside_image,
    check_screenshot,
    issues_have_boxes,
)
from workbench.answers.checks.vat_invoice import (
    buyer_tax_id,
    check_vat_invoice,
    seller_tax_id,
    total_in_words,
    uscc_check_character,
    vat_tax_rate,
    vat_total,
)
from workbench.answers.checks.wording import CheckNote, check_title

__all__ = [
    "CENT",
    "CHECKS",
    "DIRECTIONS",
    "MONEY_TOLERANCE",
    "TAX_TOLERANCE",
    "CapitalAmountError",
    "CheckContext",
    "CheckNote",
    "CheckResult",
    "boxes_inside_image",
    "buyer_tax_id",
    "check_gauge",
    "check_homework",
    "check_receipt",
    "check_screenshot",
    "check_title",
    "check_vat_invoice",
    "final_answer_parses",
    "format_capital_amount",
    "issues_have_boxes",
    "item_amounts",
    "items_sum",
    "parse_capital_amount",
    "parse_final_answer",
    "run_checks",
    "seller_tax_id",
    "tax_rate",
    "threshold_alarm",
    "total_adds_up",
    "total_in_words",
    "uscc_check_character",
    "value_in_scale",
    "vat_tax_rate",
    "vat_total",
    "verdicts_agree",
]

# Preset files name these keys: keep them stable.
CHECKS: dict[str, Callable[[Any, CheckContext], list[CheckResult]]] = {
    "receipt": check_receipt,
    "gauge": check_gauge,
    "homework": check_homework,
    "screenshot": check_screenshot,
    "vat_invoice": check_vat_invoice,
}


def run_checks(names: Sequence[str], value: Any, context: CheckContext) -> list[CheckResult]:
    """Return the results of the named check groups, in order; ValueError names an unknown one."""
    for name in names:
        if name not in CHECKS:
            raise ValueError(f"unknown check {name!r}; known checks: {', '.join(sorted(CHECKS))}")
    return [result for name in names for result in CHECKS[name](value, context)]
