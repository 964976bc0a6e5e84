"""``inspect`` and ``extract``: model grids from the command line.

``python -m forecasting inspect PATH... [--model NAME]`` prints one JSON object (format, model,
level, variables with units and min/max/mean, grid, time). ``python -m forecasting extract
PATH... [--districts GEOJSON] [--model NAME]`` prints CSV ``district,time,lead_hours,<pollutants>``
(canonical units: µg/m³, CO mg/m³). Errors: one line on stderr, exit code 2 (the dispatcher).
"""

from __future__ import annotations

import json
import sys

from forecasting.cli import helptext

__all__ = ["register"]


def _inspect(args) -> int:
    from forecasting.archives import unpacked_paths
    from forecasting.grids import inspect_grid

    with unpacked_paths(args.paths) as (paths, held):
        result = inspect_grid(paths, model=args.model)
        # an archive's member as "cams.zip/levtype_ml.nc", not by the temporary folder it was read from
        within = {str(q): f"{h.archive}/{q.name}" for h in held for q in paths if q.name in h.members}
        result["files"] = [within.get(str(f), str(f)) for f in result["files"]]
    json.dump(result, sys.stdout, ensure_ascii=False)
    sys.stdout.write("\n")
    return 0


def _extract(args) -> int:
    import numpy as np

    from forecasting.archives import unpacked_paths
    from forecasting.districts import extract_districts
    from forecasting.grids import POLLUTANTS

    with unpacked_paths(args.paths) as (paths, _held):
        frame = extract_districts(paths, model=args.model, districts=args.districts)
    pollutants = [p for p in POLLUTANTS if p in frame.columns]
    out = frame[["district", "time", "lead_hours", *pollutants]].copy()
    out["time"] = out["time"].dt.strftime("%Y-%m-%dT%H:%M:%SZ")
    out["lead_hours"] = [("" if not np.isfinite(v) else f"{v:g}") for v in out["lead_hours"]]
    out.to_csv(sys.stdout, index=False, float_format="%.6g", lineterminator="\n")
    return 0


def register(subparsers) -> None:
    p = subparsers.add_parser("inspect", help=helptext("clihelp.inspect.help"))
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=helptext("clihelp.common.model_files"))
    p.add_argument("--model", default=None, help=helptext("clihelp.common.model_or_path"))
    p.set_defaults(func=_inspect)
    e = subparsers.add_parser("extract", help=helptext("clihelp.extract.help"))
    e.add_argument("paths", nargs="+", metavar="PATH",
                   help=helptext("clihelp.common.model_files"))
    e.add_argument("--districts", default=None, help=helptext("clihelp.extract.districts"))
    e.add_argument("--model", default=None, help=helptext("clihelp.common.model_or_path"))
    e.set_defaults(func=_extract)
