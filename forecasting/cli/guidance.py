"""``python -m forecasting train --until DATE`` and ``guidance compute --from DATE [--to DATE]`` (for cron)."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from forecasting.cli import CliError
from forecasting.permissions import Actor


def _date(text: str | None) -> date:
    if not text:
        return datetime.now(ZoneInfo("Asia/Shanghai")).date()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"{text!r} is not a date: use YYYY-MM-DD") from exc


def _train(args) -> int:
    from forecasting.store.db import get_database
    from forecasting.training import TRAIN_METHODS, train

    methods = args.methods.split(",") if args.methods else list(TRAIN_METHODS)
    result = train(get_database(), Actor.system("train"), until=_date(args.until), history_days=args.history_days,
                   validation_days=args.validation_days, methods=methods)
    print(f"trained until {result.until} (validation from {result.validation_from}): {result.records} records")
    for (district, pollutant), method in sorted(result.chosen.items()):
        print(f"  {district} {pollutant:<5} {method}")
    return 0


def _compute(args) -> int:
    from forecasting.guidance import compute_guidance
    from forecasting.store.db import get_database

    first = _date(args.date_from)
    last = _date(args.date_to) if args.date_to else first
    if last < first:
        raise CliError("--to is before --from")
    n = compute_guidance(get_database(), Actor.system("guidance"), first, last)
    print(f"guidance for {first}..{last}: {n} rows")
    return 0


def register(sub) -> None:
    t = sub.add_parser("train", help="choose the correction method per district and pollutant (backtest)")
    t.add_argument("--until", help="Beijing date of the cut-off (default: today)")
    t.add_argument("--history-days", type=int, default=60)
    t.add_argument("--validation-days", type=int, default=14)
    t.add_argument("--methods", help="comma-separated subset of the methods")
    t.set_defaults(func=_train)
    g = sub.add_parser("guidance", help="objective guidance")
    gs = g.add_subparsers(dest="guidance_command", metavar="ACTION", required=True)
    c = gs.add_parser("compute", help="compute and store the guidance of issue dates")
    c.add_argument("--from", dest="date_from", help="first issue date (default: today)")
    c.add_argument("--to", dest="date_to", help="last issue date (default: --from)")
    c.set_defaults(func=_compute)
