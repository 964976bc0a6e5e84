"""``python -m forecasting assess --month 2026-10 | --year 2026``: the zone's assessment report (issue #18)."""

from __future__ import annotations

import json
import sys
from pathlib import Path

from forecasting.cli import helptext, result_text


def register(sub) -> None:
    p = sub.add_parser("assess", help=helptext("clihelp.assess.help"),
                       description=helptext("clihelp.assess.description"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--month", help=helptext("clihelp.assess.month"))
    g.add_argument("--year", help=helptext("clihelp.assess.year"))
    p.add_argument("--format", choices=("html", "pdf", "csv", "json"), default="csv",
                   help=helptext("clihelp.assess.format"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=helptext("clihelp.assess.lang"))
    p.add_argument("--out", help=helptext("clihelp.assess.out"))
    p.set_defaults(func=_run)


def _json(a) -> dict:
    v = a.verification
    return {
        "kind": a.kind, "first": a.first.isoformat(), "last": a.last.isoformat(),
        "previous_first": a.previous_first.isoformat(), "previous_last": a.previous_last.isoformat(),
        "observed": {k: {**s, "level_days": {str(x): y for x, y in s["level_days"].items()},
                         "level_share": {str(x): y for x, y in s["level_share"].items()}} for k, s in a.observed.items()},
        "previous": {k: {**s, "level_days": {str(x): y for x, y in s["level_days"].items()},
                         "level_share": {str(x): y for x, y in s["level_share"].items()}} for k, s in a.previous.items()},
        "forecast": {"cases": v.n, "level_hit_rate": v.level.as_dict(), "range_hit_rate": v.range.as_dict(),
                     "polluted_days": v.polluted_days, "polluted_hits": v.polluted_hits,
                     "reference": {**v.reference, "first": str(v.reference.get("first")),
                                   "last": str(v.reference.get("last"))}},
    }


def _run(args) -> int:
    from forecasting.assessment import assess, parse_period, to_csv, to_html, to_pdf
    from forecasting.cli import CliError
    from forecasting.store.db import get_database

    kind, first, last = parse_period(month=args.month, year=args.year)
    if args.format == "pdf" and not args.out:
        raise CliError("--format pdf needs --out FILE", key="cli.pdf_needs_out")
    a = assess(get_database(), first, last, kind=kind)
    if args.format == "json":
        data = (json.dumps(_json(a), ensure_ascii=False, indent=1, default=str) + "\n").encode("utf-8")
    elif args.format == "csv":
        data = to_csv(a, args.lang)
    elif args.format == "html":
        data = to_html(a, args.lang).encode("utf-8")
    else:
        data = to_pdf(a, args.lang)
    if args.out:
        Path(args.out).write_bytes(data)
        print(result_text("cliout.assess.written", path=args.out, size=len(data)), file=sys.stderr)
    else:
        sys.stdout.buffer.write(data)
    return 0
