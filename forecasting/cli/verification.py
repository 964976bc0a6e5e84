"""``python -m forecasting verify --from DATE --to DATE [--format json|csv]``: verification reports
outside the app (issued vs corrected guidance vs raw models vs persistence; ``docs/verification.md``)."""

from __future__ import annotations

import json
import math
import sys
from datetime import date

from forecasting.cli import CliError, helptext


def _date(text: str, flag: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError) as exc:
        raise CliError(f"{flag} {text!r} is not a date: use YYYY-MM-DD", key="cli.not_a_date", flag=f"{flag} ",
                       text=repr(text)) from exc


def _plain(value):
    if value is None:
        return None
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, (tuple, list, set, frozenset)):
        return list(value)
    try:
        import pandas as pd

        if value is pd.NA:
            return None
    except ImportError:  # pragma: no cover
        pass
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def _records(frame) -> list[dict]:
    return [{k: _plain(v) for k, v in row.items()} for row in frame.to_dict(orient="records")]


def _verify(args) -> int:
    from forecasting.store.db import get_database
    from forecasting.verification import BREAKDOWNS, CompositeWeights, to_csv, verify

    first, last = _date(args.date_from, "--from"), _date(args.date_to, "--to")
    if last < first:
        raise CliError(f"--to {last} is before --from {first}", key="cli.reversed", later="--to", last=last,
                       earlier="--from", first=first)
    by = [b.strip() for b in (args.by or "lead_day").split(",") if b.strip() and b.strip() != "all"]
    bad = [b for b in by if b not in BREAKDOWNS]
    if bad:
        raise CliError(f"--by {','.join(bad)}: expected some of {', '.join(BREAKDOWNS)} (comma-separated) or all",
                       key="cli.bad_breakdown", bad=",".join(bad), expected=", ".join(BREAKDOWNS))
    weights = CompositeWeights.parse(args.weights) if args.weights else CompositeWeights()
    report = verify(get_database(), first, last, event_rule=args.event_rule, weights=weights)
    table = report.pairs.drop(columns=["range_hit", "level_hit", "primary_hit"]) if args.pairs else report.table(by)
    if args.format == "csv":
        sys.stdout.write(to_csv(table).decode("utf-8"))
        return 0
    out = {
        "from": first.isoformat(), "to": last.isoformat(), "by": by, "event_rule": args.event_rule,
        "weights": {"primary": weights.primary, "level": weights.level, "aqi": weights.aqi},
        "issued": report.has_issued,
        "scores": _records(report.table(by)),
        "value_added": _records(report.value_added(by)),
    }
    if args.pairs:
        out["pairs"] = _records(table)
    if args.summary:
        out["summary"] = _summary(get_database(), first, last)
    print(json.dumps(out, ensure_ascii=False, indent=1))  # data, not prose
    return 0


def _summary(db, first, last) -> dict:
    """The like-with-like summary (issue #18): intervals, the reference chosen on the preceding period,
    comparisons on common cases."""
    from forecasting.verification import headline, period_summary

    s = period_summary(db, first, last)
    return {
        "headline_zh": headline(s, "zh"), "headline_en": headline(s, "en"), "cases": s.n,
        "level_hit_rate": {k: _plain(v) for k, v in s.level.as_dict().items()},
        "range_hit_rate": {k: _plain(v) for k, v in s.range.as_dict().items()},
        "polluted_days": s.polluted_days, "polluted_hits": s.polluted_hits,
        "reference": {k: _plain(v) for k, v in s.reference.items()},
        "comparisons": {label: {"cases": c["n"],
                                **{rate: {part: {k: _plain(v) for k, v in c[rate][part].as_dict().items()}
                                          for part in ("issued", "reference", "difference")}
                                   for rate in ("level_hit_rate", "range_hit_rate")},
                                "skill": {k: _plain(v) for k, v in c["skill"].as_dict().items()}}
                        for label, c in s.comparisons.items()},
    }


def register(sub) -> None:
    p = sub.add_parser("verify", help=helptext("clihelp.verify.help"))
    p.add_argument("--from", dest="date_from", required=True, help=helptext("clihelp.verify.from"))
    p.add_argument("--to", dest="date_to", required=True, help=helptext("clihelp.verify.to"))
    p.add_argument("--format", choices=("json", "csv"), default="json", help=helptext("clihelp.verify.format"))
    p.add_argument("--by", default="lead_day",
                   help=helptext("clihelp.verify.by"))
    p.add_argument("--event-rule", choices=("upper", "centre"), default="upper",
                   help=helptext("clihelp.verify.event_rule"))
    p.add_argument("--weights", help=helptext("clihelp.verify.weights"))
    p.add_argument("--pairs", action="store_true", help=helptext("clihelp.verify.pairs"))
    p.add_argument("--summary", action="store_true",
                   help=helptext("clihelp.verify.summary"))
    p.set_defaults(func=_verify)
