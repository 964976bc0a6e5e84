"""``python -m forecasting reports export --month 2026-11 --out FILE.zip``: the issued reports of a month (or a
year, or a date range) in one ZIP file, as the reports page packs them (:func:`forecasting.reports.reports_archive`)."""

from __future__ import annotations

import sys
from pathlib import Path

from forecasting.cli import helptext, result_text


def register(sub) -> None:
    reports = sub.add_parser("reports", help=helptext("clihelp.reports.help"))
    rs = reports.add_subparsers(dest="reports_command", metavar="ACTION", required=True)
    p = rs.add_parser("export", help=helptext("clihelp.reports.export.help"),
                      description=helptext("clihelp.reports.export.description"))
    g = p.add_mutually_exclusive_group(required=True)
    g.add_argument("--month", help=helptext("clihelp.reports.export.month"))
    g.add_argument("--year", help=helptext("clihelp.reports.export.year"))
    g.add_argument("--from", dest="first", help=helptext("clihelp.reports.export.from"))
    p.add_argument("--to", dest="last", help=helptext("clihelp.reports.export.to"))
    p.add_argument("--format", default="pdf", choices=("pdf", "html", "txt", "json", "en.pdf", "en.html", "en.txt"),
                   help=helptext("clihelp.reports.export.format"))
    p.add_argument("--lang", choices=("zh", "en"), default="zh", help=helptext("clihelp.reports.export.lang"))
    p.add_argument("--current-only", action="store_true",
                   help=helptext("clihelp.reports.export.current_only"))
    p.add_argument("--out", required=True, help=helptext("clihelp.reports.export.out"))
    p.set_defaults(func=_export)


def _export(args) -> int:
    from forecasting.assessment import parse_period
    from forecasting.cli import CliError
    from forecasting.consultation.config import parse_day
    from forecasting.reports import list_reports, reports_archive
    from forecasting.store.db import get_database

    if args.first is not None:
        if args.last is None:
            raise CliError("--from needs --to (the last issue date, YYYY-MM-DD)", key="cli.from_needs_to")
        first, last = parse_day(args.first), parse_day(args.last)
        if last < first:
            raise CliError(f"--to {last} is before --from {first}", key="cli.reversed", later="--to", last=last,
                           earlier="--from", first=first)
    else:
        if args.last is not None:
            raise CliError("--to goes with --from, not with --month or --year", key="cli.to_with_from")
        _kind, first, last = parse_period(month=args.month, year=args.year)
    found = list_reports(get_database(), first=first, last=last, include_superseded=not args.current_only)
    if not found:
        raise CliError(f"no issued report from {first} to {last}", key="cli.no_reports", first=first, last=last)

    terminal = sys.stderr.isatty()

    def progress(done: int, total: int) -> None:  # one line redrawn in a terminal; a line per 10 in a log
        line = result_text("cliout.reports.progress", done=done, total=total)
        if terminal:
            print(f"\r  {line}", end="" if done < total else "\n", file=sys.stderr, flush=True)
        elif done % 10 == 0 or done == total:
            print(f"  {line}", file=sys.stderr, flush=True)

    data = reports_archive(get_database(), found, args.format, lang=args.lang, progress=progress)
    out = Path(args.out)
    tmp = out.with_name(out.name + ".part")  # never a half-written archive under the asked name
    tmp.write_bytes(data)
    tmp.replace(out)
    print(result_text("cliout.reports.written", path=out, reports=len(found),
                      reports_en=f"{len(found)} report{'' if len(found) == 1 else 's'}", size=len(data)),
          file=sys.stderr)
    return 0
