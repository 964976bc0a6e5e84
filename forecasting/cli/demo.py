"""``python -m forecasting demo seed [--if-empty]`` and ``demo banner`` (used by ``make run``)."""

from __future__ import annotations

from forecasting.cli import CliError


def _seed(args) -> int:
    from forecasting.config import settings
    from forecasting.demo import build_demo_world, demo_state
    from forecasting.demo.progress import BuildProgress
    from forecasting.store.db import get_database

    url = settings().database_url
    if args.days < 2 or args.files_days < 0:
        raise CliError("--days must be at least 2 and --files-days at least 0")
    if demo_state(get_database(url)) in ("complete", "production") and not args.if_empty:
        raise CliError("the database already has users; the demo world is only seeded into an empty database")
    print("building the demo world (once; an interrupted build is started again by the next run)", flush=True)
    with BuildProgress(bar=None if args.progress == "auto" else args.progress == "bar") as progress:
        state = build_demo_world(url, log=progress, days=args.days, files_days=min(args.files_days, args.days))
    if state == "seeded":
        print("demo world seeded")
    elif state == "complete":
        print("demo world already built: not seeded again")
    else:
        print("database not empty: demo world not seeded")
    return 0


def _banner(args) -> int:
    from forecasting.demo import DEMO_PASSWORD, DEMO_USERS, is_demo
    from forecasting.store.db import get_database

    print(f"\n  长三角示范区空气质量联合预报会商 / Joint Air-Quality Forecast Consultation\n  Open {args.url}\n")
    if is_demo(get_database()):
        print(f"  DEMO MODE (synthetic data). Demo accounts, password '{DEMO_PASSWORD}':")
        for username, name, role, district in DEMO_USERS:
            print(f"    {username:<10} {role:<11} {district or '':<7} {name}")
        print()
    return 0


def register(sub) -> None:
    demo = sub.add_parser("demo", help="the demo world")
    ds = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    p = ds.add_parser("seed", help="seed the demo world into an empty database")
    p.add_argument("--if-empty", action="store_true", help="do nothing (and succeed) when the database has users")
    p.add_argument("--days", type=int, default=60, help="days of history (default 60)")
    p.add_argument("--files-days", type=int, default=7, help="newest cycles written as model files (default 7)")
    p.add_argument("--progress", choices=["auto", "bar", "lines"], default="auto",
                   help="a progress bar (on a terminal, the default) or one line per stage")
    p.set_defaults(func=_seed)
    p = ds.add_parser("banner", help="print the URL and, in demo mode, the demo accounts")
    p.add_argument("--url", default="http://127.0.0.1:8501")
    p.set_defaults(func=_banner)
