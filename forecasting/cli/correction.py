"""``python -m forecasting backtest``: rolling-origin backtest of the correction methods.

Reads ``F.csv`` (``model,cycle,valid_time,district,variable,value``) and ``O.csv``
(``time,district,pollutant,value``), times ISO-8601 with offset, observations hour-ending; prints
one JSON object (see :func:`forecasting.correction.backtest`).
"""

from __future__ import annotations

import json
import sys

from forecasting.cli import helptext

__all__ = ["register"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "backtest",
        help=helptext("clihelp.backtest.help"),
        description=helptext("clihelp.backtest.description"),
    )
    p.add_argument("--forecasts", required=True, metavar="F.csv",
                   help=helptext("clihelp.backtest.forecasts"))
    p.add_argument("--observations", required=True, metavar="O.csv",
                   help=helptext("clihelp.backtest.observations"))
    p.add_argument("--test-from", required=True, metavar="YYYY-MM-DD",
                   help=helptext("clihelp.backtest.test_from"))
    p.add_argument("--methods", default=None, metavar="m1,m2,...",
                   help=helptext("clihelp.backtest.methods"))
    p.add_argument("--issue-delay-hours", type=float, default=None, metavar="H",
                   help=helptext("clihelp.backtest.issue_delay_hours"))
    p.add_argument("--validation-days", type=int, default=30, metavar="N",
                   help=helptext("clihelp.backtest.validation_days"))
    p.add_argument("--pairs", default=None, metavar="PAIRS.csv",
                   help=helptext("clihelp.backtest.pairs"))
    p.set_defaults(func=_run)


_WHAT_ZH = {"forecast": "预报", "observation": "观测"}


def _read(path: str, what: str, time_columns):
    import pandas as pd

    from forecasting.cli import CliError

    names = {"what": what, "what_zh": _WHAT_ZH.get(what, what), "path": path}
    try:
        frame = pd.read_csv(path, dtype={"district": str})
    except FileNotFoundError as exc:
        raise CliError(f"{what} file not found: {path}", key="cli.file_not_found", **names) from exc
    except (pd.errors.ParserError, pd.errors.EmptyDataError, UnicodeDecodeError) as exc:
        raise CliError(f"{what} file {path} is not a readable CSV: {exc}", key="cli.csv_unreadable", detail=exc,
                       **names) from exc
    for col in time_columns:
        if col not in frame.columns:
            continue
        parsed = pd.to_datetime(frame[col], errors="coerce", utc=True, format="ISO8601")
        if parsed.isna().any():
            i = int(parsed.isna().to_numpy().nonzero()[0][0])
            raise CliError(f"{path}: line {i + 2}, column {col!r}: expected an ISO-8601 time with offset, "
                           f"got {frame[col].iloc[i]!r}", key="cli.csv_time", path=path, line=i + 2,
                           column=repr(col), got=repr(frame[col].iloc[i]))
        text = frame[col].astype(str).str.strip()
        if not text.str.contains(r"(?:[zZ]|[+-]\d\d:?\d\d)$", regex=True).all():
            i = int((~text.str.contains(r"(?:[zZ]|[+-]\d\d:?\d\d)$", regex=True)).to_numpy().nonzero()[0][0])
            raise CliError(f"{path}: line {i + 2}, column {col!r}: expected a UTC offset such as +08:00, "
                           f"got {frame[col].iloc[i]!r}", key="cli.csv_offset", path=path, line=i + 2,
                           column=repr(col), got=repr(frame[col].iloc[i]))
        frame[col] = parsed
    if "value" in frame.columns:
        values = pd.to_numeric(frame["value"], errors="coerce")
        bad = values.isna() & frame["value"].notna()
        if bad.any():
            i = int(bad.to_numpy().nonzero()[0][0])
            raise CliError(f"{path}: line {i + 2}, column 'value': expected a number, got {frame['value'].iloc[i]!r}",
                           key="cli.csv_value", path=path, line=i + 2, got=repr(frame["value"].iloc[i]))
        frame["value"] = values
    return frame


def _run(args) -> int:
    from forecasting.cli import CliError
    from forecasting.correction import DEFAULT_ISSUE_DELAY_HOURS, METHODS, backtest, validate_method

    methods = METHODS
    if args.methods:
        methods = tuple(m.strip() for m in args.methods.split(",") if m.strip())
        if not methods:
            raise CliError("--methods is empty; give e.g. raw,kalman_filter", key="cli.no_methods")
        for m in methods:
            validate_method(m)
    forecasts = _read(args.forecasts, "forecast", ("cycle", "valid_time"))
    observations = _read(args.observations, "observation", ("time",))
    delay = DEFAULT_ISSUE_DELAY_HOURS if args.issue_delay_hours is None else args.issue_delay_hours
    pairs_out: list = []
    report = backtest(forecasts, observations, test_from=args.test_from, methods=methods,
                      issue_delay_hours=delay, validation_days=args.validation_days,
                      pairs_out=pairs_out if args.pairs else None)
    if args.pairs:
        try:
            pairs_out[0].to_csv(args.pairs, index=False)
        except OSError as exc:
            raise CliError(f"cannot write --pairs file {args.pairs}: {exc}", key="cli.cannot_write", flag="--pairs",
                           path=args.pairs, detail=exc) from exc
    report = {key: report[key] for key in ("test_from", "methods", "best")}
    json.dump(report, sys.stdout, ensure_ascii=False, allow_nan=False)
    sys.stdout.write("\n")
    return 0
