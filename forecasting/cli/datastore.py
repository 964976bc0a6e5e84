"""``python -m forecasting ingest PATH... [--model NAME]`` and ``obs import CSV [--stations CSV]``.

Both run as the operator (what cron or a watched-folder script calls), honour ``DATABASE_URL``,
write nothing on a bad file and print one line on stderr with exit code 2.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from forecasting.cli import CliError, helptext, result_text, say, warn
from forecasting.i18n import Notice, row_references
from forecasting.permissions import Actor


def _ingest(args) -> int:
    from forecasting.archives import unpacked_paths
    from forecasting.store.db import get_database
    from forecasting.uploads import ingest_recorded  # ingest_run + the data desk's attempt record

    # a ZIP of NetCDF files (the Atmosphere Data Store's delivery) or a .nc.gz: its members are the run's files
    with unpacked_paths(args.paths) as (paths, _held):
        result, _attempt = ingest_recorded(get_database(), Actor.system("ingest"), paths, via="cli",
                                           model=args.model, districts=args.districts, cycle=args.cycle,
                                           force=args.force)
    for warning in result.warnings:
        warn(warning)
    say("cliout.ingest.replaced" if result.replaced else "cliout.ingest.stored", model=result.model,
        cycle=f"{result.cycle:%Y-%m-%dT%H:%MZ}", hours=result.n_times, districts=len(result.districts),
        variables=len(result.variables), values=result.n_values, format=result.format, level=result.level)
    return 0


def _obs_import(args) -> int:
    from forecasting.store.db import get_database
    from forecasting.uploads import import_recorded, observation_upload  # + the data desk's attempt record

    with tempfile.TemporaryDirectory(prefix="forecasting-obs-") as tmp:
        source = Path(args.csv[0])
        if len(args.csv) > 1:  # several files (a week of daily exports): read as a ZIP of them would be
            try:
                files = [(Path(p).name, Path(p).read_bytes()) for p in args.csv]
            except OSError as exc:
                raise CliError(f"observation file not found: {exc.filename}", key="cli.file_not_found",
                               what="observation", what_zh="观测", path=exc.filename) from None
            data, name = observation_upload(files)
            source = Path(tmp) / name
            source.write_bytes(data)
        result, _attempt = import_recorded(get_database(), Actor.system("obs-import"), source, via="cli",
                                           stations=args.stations, timezone=args.timezone,
                                           hour_label=args.hour_label)
    if result.left_out_stations:
        out = result.left_out_stations
        few = ", ".join(out[:8]) + (" …" if len(out) > 8 else "")
        warn(Notice(f"{len(out)} stations of the file are not in the station list (outside the zone, or named "
                    f"otherwise) and were not imported: {few}", key="cli.stations_left_out", n=len(out),
                    stations=few, stations_zh="、".join(out[:8]) + ("…" if len(out) > 8 else "")))
    if result.skipped_sheets:
        warn(Notice(f"sheets of the workbook that hold no table of observations (notes) were not read: "
                    f"{', '.join(result.skipped_sheets)}", key="cli.sheets_skipped",
                    sheets=", ".join(result.skipped_sheets), sheets_zh="、".join(result.skipped_sheets)))
    if result.skipped_rows:
        rows = row_references(result.skipped_rows, "en")
        warn(Notice(f"rows that are not data (a title or notes) were not read: {rows}", key="cli.rows_skipped",
                    rows=rows, rows_zh=row_references(result.skipped_rows, "zh")))
    if result.ignored_columns:
        warn(Notice(f"columns not read: {', '.join(result.ignored_columns)} (only station, time and the hourly "
                    f"pm25, pm10, o3, no2, so2, co; or pollutant, value, unit)", key="cli.columns_not_read",
                    columns=", ".join(result.ignored_columns), columns_zh="、".join(result.ignored_columns)))
    imported = result_text("cliout.obs.imported", rows=result.rows, stations=result.stations,
                           replaced=result.replaced, added=result.added,
                           first=f"{result.first:%Y-%m-%dT%H:%MZ}", last=f"{result.last:%Y-%m-%dT%H:%MZ}",
                           flagged=result.flagged, district_hours=result.district_hours)
    if result.reflagged:
        imported += result_text("cliout.obs.reflagged", reflagged=result.reflagged)
    print(imported)
    return 0


def register(sub) -> None:
    p = sub.add_parser("ingest", help=helptext("clihelp.ingest.help"))
    p.add_argument("paths", nargs="+", metavar="PATH",
                   help=helptext("clihelp.common.model_files"))
    p.add_argument("--model", help=helptext("clihelp.ingest.model"))
    p.add_argument("--districts", metavar="GEOJSON", help=helptext("clihelp.ingest.districts"))
    p.add_argument("--cycle", help=helptext("clihelp.ingest.cycle"))
    p.add_argument("--force", action="store_true",
                   help=helptext("clihelp.ingest.force"))
    p.set_defaults(func=_ingest)
    obs = sub.add_parser("obs", help=helptext("clihelp.obs.help"))
    os_ = obs.add_subparsers(dest="obs_command", metavar="ACTION", required=True)
    i = os_.add_parser("import", help=helptext("clihelp.obs.import.help"))
    i.add_argument("csv", metavar="CSV", nargs="+",
                   help=helptext("clihelp.obs.import.csv"))
    i.add_argument("--stations", metavar="CSV", help=helptext("clihelp.obs.import.stations"))
    i.add_argument("--timezone", help=helptext("clihelp.obs.import.timezone"))
    i.add_argument("--hour-label", choices=["end", "begin"], default="end",
                   help=helptext("clihelp.obs.import.hour_label"))
    i.set_defaults(func=_obs_import)
