"""Run benchmarks: ``python -m bench [NAME ...] [--FLAG ...]`` (NAME = the part after ``bench_``).

Flags are handed to the benches that take them (``bench_startup``: ``--first-run``, ``--suite``);
``sys.argv`` holds them while a bench runs.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import time
from pathlib import Path


def main(argv: list[str]) -> int:
    here = Path(__file__).parent
    names = sorted(m.name[len("bench_"):] for m in pkgutil.iter_modules([str(here)]) if m.name.startswith("bench_"))
    if "-h" in argv or "--help" in argv:  # only the usage: without a name every bench runs (many minutes)
        print(f"{__doc__.strip()}\n\nbenchmarks: {', '.join(names)}")
        return 0
    flags = [a for a in argv if a.startswith("--")]
    wanted = [a for a in argv if not a.startswith("--")] or names
    sys.argv = [sys.argv[0], *flags]
    unknown = [n for n in wanted if n not in names]
    if unknown:
        print(f"unknown benchmark(s): {', '.join(unknown)}; known: {', '.join(names)}", file=sys.stderr)
        return 2
    for name in wanted:
        module = importlib.import_module(f"bench.bench_{name}")
        print(f"\n=== bench {name} ===", flush=True)
        start = time.perf_counter()
        module.main()
        print(f"=== bench {name}: {time.perf_counter() - start:.1f} s ===", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
