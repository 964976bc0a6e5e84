"""``python -m forecasting session open`` and ``python -m forecasting rota show|generate``.

``session open --date YYYY-MM-DD`` is what the daily cron runs: it opens the consultation of that
Beijing issue date (default today) and does nothing when it is already open (idempotent).
``rota show --from --to`` prints the turns and each day's duty chief; ``rota generate --from --to``
fills the range from the cycle (days already covered stay as they are).
"""

from __future__ import annotations

from datetime import timedelta

from forecasting.cli import helptext, say, warn
from forecasting.i18n import Notice, t
from forecasting.permissions import Actor

__all__ = ["register"]


def _db():
    from forecasting.store.db import get_database

    return get_database()


def _open(args) -> int:
    from forecasting.consultation import first_day_without_duty, open_session, parse_day

    day = parse_day(args.date) if args.date else None
    db = _db()
    view = open_session(db, Actor.system("cli"), day, days=args.days)
    say("cliout.session.opened", issue_date=view.issue_date, revision=view.revision, state=view.state,
        state_zh=t(f"consult.state.{view.state}", "zh"), first=view.target_dates[0],
        last=view.target_dates[-1])
    # the daily job is the first to know that nobody is on duty soon (nobody can sign that day)
    gap = first_day_without_duty(db, view.issue_date)
    if gap is not None:
        warn(Notice(f"nobody is on duty on {gap} (no active chief or deputy): nobody can sign that day's forecast; "
                    f"fill the rota (python -m forecasting rota generate --from {gap} --to DATE) or register a "
                    "substitute", key="cli.no_duty", day=gap))
    return 0


def _show(args) -> int:
    from forecasting.consultation import beijing_today, duty_for, list_turns, parse_day

    today = beijing_today()
    monday = today - timedelta(days=today.weekday())
    # default (#14): this week and next, Monday to Sunday (Beijing)
    start = parse_day(args.date_from) if args.date_from else monday
    end = parse_day(args.date_to) if args.date_to else monday + timedelta(days=13)
    db = _db()
    turns = list_turns(db, start, end)
    if not turns:
        say("cliout.rota.none", start=start, end=end)
        return 0
    say("cliout.rota.turns_header")  # the header in the terminal's language; the rows are data
    for turn in turns:
        print(f"{turn.id}\t{turn.start_date}\t{turn.end_date}\t{turn.district}\t"  # data, not prose
              f"{turn.chief_name}\t{turn.deputy_name or '-'}")
    if args.days:
        say("cliout.rota.days_header")
        day = start
        while day <= end:
            d = duty_for(db, day)
            mark = " (代班)" if d.chief_substituted else ""
            print(f"{day}\t{d.district or '-'}\t{d.chief_name or '-'}{mark}\t"  # data, not prose
                  f"{d.deputy_name or '-'}")
            day += timedelta(days=1)
    return 0


def _generate(args) -> int:
    from forecasting.consultation import ConsultationConfig, consultation_config, generate_rota
    from dataclasses import replace

    cfg: ConsultationConfig = consultation_config()
    if args.cycle_days:
        cfg = replace(cfg, cycle_days=args.cycle_days)
    created = generate_rota(_db(), Actor.system("cli"), args.date_from, args.date_to, config=cfg)
    say("cliout.rota.created", n=len(created))
    for turn in created:
        print(f"{turn.start_date}..{turn.end_date}\t{turn.district}\t{turn.chief_name}\t"  # data, not prose
              f"{turn.deputy_name or '-'}")
    return 0


def register(sub) -> None:
    session = sub.add_parser("session", help=helptext("clihelp.session.help"))
    ss = session.add_subparsers(dest="session_command", metavar="ACTION", required=True)
    p = ss.add_parser("open", help=helptext("clihelp.session.open.help"))
    p.add_argument("--date", help=helptext("clihelp.session.open.date"))
    p.add_argument("--days", type=int, default=None, help=helptext("clihelp.session.open.days"))
    p.set_defaults(func=_open)

    rota = sub.add_parser("rota", help=helptext("clihelp.rota.help"))
    rs = rota.add_subparsers(dest="rota_command", metavar="ACTION", required=True)
    p = rs.add_parser("show", help=helptext("clihelp.rota.show.help"))
    p.add_argument("--from", dest="date_from", default=None, metavar="DATE",
                   help=helptext("clihelp.rota.show.from"))
    p.add_argument("--to", dest="date_to", default=None, metavar="DATE",
                   help=helptext("clihelp.rota.show.to"))
    p.add_argument("--days", action="store_true", help=helptext("clihelp.rota.show.days"))
    p.set_defaults(func=_show)
    p = rs.add_parser("generate", help=helptext("clihelp.rota.generate.help"))
    p.add_argument("--from", dest="date_from", required=True, metavar="DATE",
                   help=helptext("clihelp.rota.generate.from"))
    p.add_argument("--to", dest="date_to", required=True, metavar="DATE", help=helptext("clihelp.rota.generate.to"))
    p.add_argument("--cycle-days", type=int, default=None, help=helptext("clihelp.rota.generate.cycle_days"))
    p.set_defaults(func=_generate)
