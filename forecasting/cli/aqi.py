"""``python -m forecasting aqi``: the AQI of one set of indicator concentrations, as one JSON object.

Usage::

    python -m forecasting aqi [--date YYYY-MM-DD | --edition 2012|2026] [--hourly] KEY=VALUE ...

KEY is an AQI indicator (``pm25_24h pm10_24h so2_24h no2_24h co_24h o3_8h o3_1h so2_1h no2_1h
co_1h pm25_1h pm10_1h``), VALUE its concentration [µg/m³; CO mg/m³]. Without ``--date`` or
``--edition`` the edition in force on today's Beijing date is used. Output (``ensure_ascii=False``)::

    {"edition", "kind", "aqi", "level", "category_zh", "category_en", "color",
     "primary_pollutants", "iaqi", "concentrations", "above_range", "missing"}

An unknown key, a repeated key, a negative or non-numeric value: exit code 2 and one line on stderr.
"""

from __future__ import annotations

import datetime as dt
import json
import math
import os
import sys

from forecasting.cli import CliError, helptext
from forecasting.vocab import INDICATORS, beijing_today

__all__ = ["register", "run", "parse_pairs"]


def register(subparsers) -> None:
    p = subparsers.add_parser(
        "aqi",
        help=helptext("clihelp.aqi.help"),
        description=helptext("clihelp.aqi.description", indicators=" ".join(INDICATORS)),
    )
    which = p.add_mutually_exclusive_group()
    which.add_argument("--date", metavar="YYYY-MM-DD", help=helptext("clihelp.aqi.date"))
    which.add_argument("--edition", choices=["2012", "2026"], help=helptext("clihelp.aqi.edition"))
    p.add_argument("--hourly", action="store_true", help=helptext("clihelp.aqi.hourly"))
    p.add_argument("pairs", nargs="*", metavar="KEY=VALUE", help=helptext("clihelp.aqi.pairs"))
    p.set_defaults(func=run)


def parse_pairs(pairs: list[str]) -> dict[str, float]:
    """``["pm25_24h=76", ...]`` → ``{"pm25_24h": 76.0}``; raises :class:`CliError` on bad input."""
    values: dict[str, float] = {}
    for pair in pairs:
        key, sep, text = pair.partition("=")
        key = key.strip()
        if not sep:
            raise CliError(f"expected KEY=VALUE, got {pair!r}", key="cli.expected_pair", pair=repr(pair))
        if key not in INDICATORS:
            raise CliError(f"unknown indicator {key!r}; expected one of: {' '.join(INDICATORS)}",
                           key="cli.unknown_indicator", name=repr(key), expected=" ".join(INDICATORS))
        if key in values:
            raise CliError(f"indicator {key!r} given twice", key="cli.indicator_twice", name=repr(key))
        try:
            value = float(text)
        except ValueError:
            raise CliError(f"{key}: expected a number, got {text!r}", key="cli.not_a_number", name=key,
                           text=repr(text)) from None
        if not math.isfinite(value):
            raise CliError(f"{key}: expected a finite number, got {text!r}", key="cli.not_finite", name=key,
                           text=repr(text))
        if value < 0:
            raise CliError(f"{key}: concentration must be ≥ 0, got {text}", key="cli.negative", name=key, text=text)
        values[key] = value
    return values


def run(args) -> int:
    # one AQI needs no BLAS thread pool: OpenBLAS otherwise starts one thread per core at numpy's import and
    # they spin, about 0.1 s of CPU for nothing (0.22-0.26 s of CPU per call, 0.12-0.19 s with one thread;
    # a variable the user set is kept). Only when numpy is not loaded yet: the setting is read at its import.
    if "numpy" not in sys.modules:
        os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
    # the AQI engine (numpy) only when the command runs: `python -m forecasting --help` registers this
    # command without it (issue #16, CLI start)
    from forecasting.aqi import aqi_from_indicators, edition_for, normalize_edition

    values = parse_pairs(args.pairs)
    if args.edition:
        edition = normalize_edition(args.edition)
    elif args.date:
        try:
            day = dt.date.fromisoformat(args.date)
        except ValueError:
            raise CliError(f"--date {args.date!r} is not a date: use YYYY-MM-DD", key="cli.not_a_date", flag="--date ",
                           text=repr(args.date)) from None
        edition = edition_for(day)
    else:
        edition = edition_for(beijing_today())
    result = aqi_from_indicators(values, edition=edition, kind="hourly" if args.hourly else "daily")
    print(json.dumps(result.to_dict(), ensure_ascii=False))  # data, not prose
    sys.stdout.flush()
    return 0
