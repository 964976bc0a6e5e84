"""``python -m forecasting demo seed [--if-empty]`` and ``demo banner`` (used by ``make run``)."""

from __future__ import annotations

import signal

from forecasting.cli import CliError, helptext, result_text, say


def _seed(args) -> int:
    from forecasting.config import settings
    from forecasting.demo import build_demo_world, demo_state
    from forecasting.demo.progress import BuildProgress
    from forecasting.demo.status import live_build, status_path
    from forecasting.store.db import get_database

    url = settings().database_url
    if args.days < 2 or args.files_days < 0:
        raise CliError("--days must be at least 2 and --files-days at least 0", key="cli.demo_days")
    before = demo_state(get_database(url))
    if before in ("complete", "production"):
        if not args.if_empty:
            raise CliError("the database already has users; the demo world is only seeded into an empty database",
                           key="cli.demo_has_users")
        say("cliout.demo.already_built" if before == "complete" else "cliout.demo.not_empty")
        return 0
    running = live_build(url)
    if running is not None:
        raise CliError(f"the demo world of this database is being built by process {running.pid}; "
                       "wait for it (the app shows its progress) instead of starting a second build",
                       key="cli.demo_building", pid=running.pid)
    def stop(_signum, _frame):  # a TERM (the launcher, a service manager) stops the build as Ctrl-C does:
        raise KeyboardInterrupt  # the worker processes are shut down and the status says "stopped"

    signal.signal(signal.SIGTERM, stop)
    print(result_text("cliout.demo.building"), flush=True)
    with BuildProgress(bar=None if args.progress == "auto" else args.progress == "bar", status=status_path(),
                       url=url) as progress:
        state = build_demo_world(url, log=progress, days=args.days, files_days=min(args.files_days, args.days))
    said = {"seeded": "cliout.demo.seeded", "complete": "cliout.demo.already_built"}
    say(said.get(state, "cliout.demo.not_empty"))
    return 0


def _pad(text: str, width: int) -> str:
    """``text`` padded to ``width`` terminal columns (a Chinese character takes two).

    >>> _pad("青浦区 Qingpu", 14) + "|"  # 3 × 2 + 1 + 6 = 13 columns
    '青浦区 Qingpu |'
    """
    from unicodedata import east_asian_width

    used = sum(2 if east_asian_width(c) in "WF" else 1 for c in text)
    return text + " " * max(width - used, 0)


def banner_lines(users, seats: dict[str, str] | None = None) -> list[str]:
    """The demo accounts as the terminal lists them: user name, role and district in Chinese and English
    (names, never adcodes), display name, and today's seat of the duty chief and deputy (``seats``: user
    name → ``"chief"`` or ``"deputy"``; a newcomer looked for whom to sign in as to try the chief's desk).

    >>> users = [("qp_chen", "陈静", "forecaster", "310118"), ("qp_li", "李明", "forecaster", "310118"),
    ...          ("admin", "系统管理员", "admin", None)]
    >>> for line in banner_lines(users, {"qp_chen": "chief", "qp_li": "deputy"}):
    ...     print(line.rstrip())
        qp_chen    预报员 Forecaster         青浦区 Qingpu   陈静     ← 今日轮值首席 today's duty chief
        qp_li      预报员 Forecaster         青浦区 Qingpu   李明     ← 今日副班 today's deputy
        admin      系统管理员 Administrator  -               系统管理员
    """
    from forecasting.i18n import t
    from forecasting.vocab import district_by_adcode

    seats = seats or {}
    lines = []
    for username, name, role, district in users:
        role_text = f"{t('role.' + role, 'zh')} {t('role.' + role, 'en')}"
        place = district_by_adcode(district).both_names if district else "-"
        line = f"    {username:<10} {_pad(role_text, 25)} {_pad(place, 15)} {name}"
        if username in seats:
            key = f"demo.seat_{seats[username]}"
            line = f"{_pad(line, 64)}  ← {t(key, 'zh')} {t(key, 'en')}"
        lines.append(line)
    return lines


def _banner(args) -> int:
    from forecasting.demo import DEMO_PASSWORD, DEMO_USERS, demo_day, is_demo, todays_seats
    from forecasting.i18n import t
    from forecasting.store.db import get_database
    from forecasting.vocab import beijing_today

    print("\n  长三角示范区空气质量联合预报会商 / Joint Air-Quality Forecast Consultation"  # zh and en together
          f"\n  Open {args.url}\n")
    db = get_database()
    if is_demo(db):
        print(f"  演示模式（合成数据）/ DEMO MODE (synthetic data). 演示账户 / Demo accounts, "  # zh and en together
              f"密码 / password '{DEMO_PASSWORD}':")
        built_for, today = demo_day(db), beijing_today()
        print("\n".join(banner_lines(DEMO_USERS, todays_seats(db, today))))
        print()
        if built_for is not None and built_for < today:  # as the app's banner says it
            for lang in ("zh", "en"):
                print("  " + t("app.demo_stale", lang, day=built_for.isoformat(), n=(today - built_for).days))
            print()
    return 0


def port_in_use(host: str, port: int) -> bool:
    """Whether another program listens on ``host:port`` (a port left in TIME_WAIT by a stopped app is free:
    the app's server binds with ``SO_REUSEADDR`` too)."""
    import socket

    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as s:
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((host, port))
        except OSError:
            return True
    return False


def _run(args) -> int:
    """``make run``: the app starts at once; an empty (or half-built) demo database is built beside it by a
    second process, whose progress the app shows instead of the sign-in form until the world is complete."""
    import signal
    import subprocess
    import sys
    from pathlib import Path

    from forecasting.config import settings
    from forecasting.demo import demo_state
    from forecasting.demo.status import live_build
    from forecasting.i18n import t
    from forecasting.reports.pdf import cjk_font_installed
    from forecasting.store.db import get_database

    url = settings().database_url
    root = Path(__file__).resolve().parents[2]
    base = args.url = f"http://{args.host}:{args.port}"
    if port_in_use(args.host, args.port):
        # before anything starts: Streamlit said "Port 8501 is not available" under a banner inviting the reader
        # to open that address, and the demo build ran on without an app (another Streamlit app on 8501 is common)
        print(f"\n  端口 {args.port} 已被占用：另一个程序正在 {args.host}:{args.port} 上监听。请关闭它，或换一个端口："
              f"make run PORT={args.port + 1}\n  Port {args.port} is in use: another program listens on "
              f"{args.host}:{args.port}. Stop it, or choose another port: make run PORT={args.port + 1}\n",
              file=sys.stderr, flush=True)  # zh and en together (make run speaks both)
        return 2
    db = get_database(url)
    state = demo_state(db)
    build_needed = state in ("empty", "partial") and live_build(url) is None
    db.dispose()  # this process keeps no connection: the build may rename the SQLite file
    if build_needed and not cjk_font_installed():
        # before anything starts: the build would stop at its first report after a minute's work (make run
        # installs the font itself when it may: scripts/sysdeps.sh app)
        print(f"\n  {t('demo.cjk_font_missing', 'zh')}\n  {t('demo.cjk_font_missing', 'en')}\n", file=sys.stderr,
              flush=True)
        return 2

    terminated = []

    def stop(_signum, _frame):
        terminated.append(True)
        raise KeyboardInterrupt

    signal.signal(signal.SIGTERM, stop)
    children: list[subprocess.Popen] = []
    try:
        build = None
        if build_needed:
            build = subprocess.Popen([sys.executable, "-m", "forecasting", "demo", "seed", "--if-empty"], cwd=root)
            children.append(build)
        else:
            _banner(args)
        app = subprocess.Popen([sys.executable, "-m", "streamlit", "run", str(root / "server.py"),
                                "--server.address", args.host, "--server.port", str(args.port),
                                "--server.headless", "true", "--browser.gatherUsageStats", "false"], cwd=root)
        children.append(app)
        if build is not None:
            print(f"\n  {result_text('cliout.demo.open_while_building', url=base)}\n", flush=True)
            code = build.wait()
            if code == 0:
                _banner(args)
            else:
                print(f"\n  {result_text('cliout.demo.build_stopped', code=code)}\n", flush=True)
        return app.wait()
    except KeyboardInterrupt:
        return 130
    finally:  # Ctrl-C reached the children too (one process group): let them stop; a TERM did not: pass it on
        for child in children:
            if terminated and child.poll() is None:
                child.terminate()
        for child in children:
            for ask in (child.terminate, child.kill, None):
                try:
                    child.wait(timeout=15)
                    break
                except subprocess.TimeoutExpired:
                    if ask is not None:
                        ask()


def _reset(args) -> int:
    """``make demo-fresh``: delete the SQLite demo database (never anything else) so the next ``make run``
    builds a demo world for today; refused while the app still runs on its port (it holds the file open).
    What it refuses is said in both languages, as ``make run`` speaks."""
    import sys

    from forecasting.config import settings
    from forecasting.demo.world import remove_demo_world
    from forecasting.errors import ForecastingError, ValidationError
    from forecasting.i18n import t

    try:
        if port_in_use(args.host, args.port):
            raise ValidationError(f"the app still runs on {args.host}:{args.port}", key="demo.reset_app_running",
                                  address=f"{args.host}:{args.port}")
        path = remove_demo_world(settings().database_url)
    except ForecastingError as exc:
        print(f"\n  {exc.localized('zh')}\n  {exc.localized('en')}\n", file=sys.stderr, flush=True)
        return 2
    print(f"  {t('demo.reset_done', 'zh', path=path)}\n  {t('demo.reset_done', 'en', path=path)}", flush=True)
    return 0


def register(sub) -> None:
    demo = sub.add_parser("demo", help=helptext("clihelp.demo.help"))
    ds = demo.add_subparsers(dest="demo_command", metavar="ACTION", required=True)
    p = ds.add_parser("seed", help=helptext("clihelp.demo.seed.help"))
    p.add_argument("--if-empty", action="store_true", help=helptext("clihelp.demo.seed.if_empty"))
    p.add_argument("--days", type=int, default=60, help=helptext("clihelp.demo.seed.days"))
    p.add_argument("--files-days", type=int, default=7, help=helptext("clihelp.demo.seed.files_days"))
    p.add_argument("--progress", choices=["auto", "bar", "lines"], default="auto",
                   help=helptext("clihelp.demo.seed.progress"))
    p.set_defaults(func=_seed)
    p = ds.add_parser("run", help=helptext("clihelp.demo.run.help"))
    p.add_argument("--host", default="127.0.0.1", help=helptext("clihelp.demo.run.host"))
    p.add_argument("--port", type=int, default=8501, help=helptext("clihelp.common.port"))
    p.set_defaults(func=_run)
    p = ds.add_parser("reset", help=helptext("clihelp.demo.reset.help"))
    p.add_argument("--host", default="127.0.0.1", help=helptext("clihelp.demo.reset.host"))
    p.add_argument("--port", type=int, default=8501, help=helptext("clihelp.common.port"))
    p.set_defaults(func=_reset)
    p = ds.add_parser("banner", help=helptext("clihelp.demo.banner.help"))
    p.add_argument("--url", default="http://127.0.0.1:8501", help=helptext("clihelp.demo.banner.url"))
    p.set_defaults(func=_banner)
