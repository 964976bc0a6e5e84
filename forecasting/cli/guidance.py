"""``python -m forecasting train --until DATE`` and ``guidance compute --from DATE [--to DATE]`` (for cron)."""

from __future__ import annotations

from datetime import date

from forecasting.cli import CliError, helptext, say
from forecasting.permissions import Actor
from forecasting.vocab import beijing_today


def _date(text: str | None) -> date:
    if not text:
        return beijing_today()
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise CliError(f"{text!r} is not a date: use YYYY-MM-DD", key="cli.not_a_date", flag="",
                       text=repr(text)) from exc


def _train(args) -> int:
    from forecasting.store.db import get_database
    from forecasting.training import TRAIN_METHODS, train_history

    methods = args.methods.split(",") if args.methods else list(TRAIN_METHODS)
    until = _date(args.until)
    since = _date(args.since) if args.since else None
    if since is not None and since > until:
        raise CliError(f"--until {until} is before --since {since}", key="cli.reversed", later="--until",
                       last=until, earlier="--since", first=since)
    if args.every_days < 1:
        raise CliError("--every-days must be at least 1", key="cli.every_days")
    results = train_history(get_database(), Actor.system("train"), until=until, since=since,
                            every_days=args.every_days, history_days=args.history_days,
                            validation_days=args.validation_days, methods=methods)
    for earlier in results[:-1]:
        say("cliout.train.kept", until=earlier.until, records=earlier.records)
    result = results[-1]
    say("cliout.train.done", until=result.until, validation_from=result.validation_from,
        records=result.records)
    for (district, pollutant), method in sorted(result.chosen.items()):
        print(f"  {district} {pollutant:<5} {method}")  # data, not prose: adcode, pollutant and method codes
    return 0


def _compute(args) -> int:
    from forecasting.guidance import compute_guidance
    from forecasting.store.db import get_database

    first = _date(args.date_from)
    last = _date(args.date_to) if args.date_to else first
    if last < first:
        raise CliError(f"--to {last} is before --from {first}", key="cli.reversed", later="--to", last=last,
                       earlier="--from", first=first)
    n = compute_guidance(get_database(), Actor.system("guidance"), first, last)
    say("cliout.guidance.computed", first=first, last=last, n=n)
    return 0


def register(sub) -> None:
    t = sub.add_parser("train", help=helptext("clihelp.train.help"))
    t.add_argument("--until", help=helptext("clihelp.train.until"))
    t.add_argument("--history-days", type=int, default=60, metavar="N", help=helptext("clihelp.train.history_days"))
    t.add_argument("--validation-days", type=int, default=14, metavar="N",
                   help=helptext("clihelp.train.validation_days"))
    t.add_argument("--methods", help=helptext("clihelp.train.methods"))
    t.add_argument("--since", help=helptext("clihelp.train.since"))
    t.add_argument("--every-days", type=int, default=7, metavar="N", help=helptext("clihelp.train.every_days"))
    t.set_defaults(func=_train)
    g = sub.add_parser("guidance", help=helptext("clihelp.guidance.help"))
    gs = g.add_subparsers(dest="guidance_command", metavar="ACTION", required=True)
    c = gs.add_parser("compute", help=helptext("clihelp.guidance.compute.help"))
    c.add_argument("--from", dest="date_from", help=helptext("clihelp.guidance.compute.from"))
    c.add_argument("--to", dest="date_to", help=helptext("clihelp.guidance.compute.to"))
    c.set_defaults(func=_compute)
