"""Model runs delivered in an archive: a ZIP of NetCDF files, as the Copernicus Atmosphere Data Store
delivers a NetCDF request (``levtype_ml.nc`` and ``levtype_sfc.nc`` in one ``.zip``), or one
gzip-compressed NetCDF file (``run.nc.gz``), as some centres publish theirs.

:func:`unpack` replaces each archive among uploaded files by its NetCDF members; :func:`unpacked_paths`
does the same for files on disk (the command line), in a temporary folder. A member is kept when its
bytes are NetCDF (classic ``CDF`` or NetCDF-4/HDF5); others (a ``README.txt``) are named in the
:class:`Unpacked` record of their archive and left out (macOS's ``__MACOSX`` copies silently). What an
archive expands to is bounded (``max_bytes``, ``max_files``) while it is read: a ZIP file's size does not
bound what it holds.

Examples
--------
>>> import io, zipfile
>>> raw = io.BytesIO()
>>> with zipfile.ZipFile(raw, "w") as z:
...     z.writestr("levtype_sfc.nc", b"CDF\\x02" + bytes(28))
...     z.writestr("README.txt", "CAMS forecast")
>>> files, unpacked = unpack([("cams.zip", raw.getvalue())], max_bytes=1 << 20, max_files=8)
>>> [name for name, _data in files], unpacked
(['levtype_sfc.nc'], [Unpacked(archive='cams.zip', members=('levtype_sfc.nc',), skipped=('README.txt',))])
"""

from __future__ import annotations

import contextlib
import io
import os
import tempfile
import zipfile
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from forecasting.errors import ForecastingError, ValidationError

__all__ = ["is_archive", "unpack", "unpacked_paths", "bundle", "read_zip", "Unpacked", "NETCDF_MAGIC",
           "MAX_MEMBERS", "MAX_RUN_FILES", "max_run_bytes"]

#: the first bytes of a NetCDF file: classic (CDF1, CDF2 64-bit offset, CDF5) and NetCDF-4 (HDF5)
NETCDF_MAGIC = (b"CDF\x01", b"CDF\x02", b"CDF\x05", b"\x89HDF\r\n\x1a\n")
_ZIP, _GZIP = b"PK\x03\x04", b"\x1f\x8b"
_CHUNK = 1 << 20
#: at most this many files in one ZIP archive (NetCDF or not) are looked at
MAX_MEMBERS = 100
#: at most this many files make one model run (uploaded, or given to the command line once archives are expanded)
MAX_RUN_FILES = 8


def max_run_bytes() -> int:
    """The limit for the files of one run together [bytes] (``FORECASTING_UPLOAD_MAX_MB``, default 200): what
    the data desk takes and what an archive may expand to."""
    raw = os.environ.get("FORECASTING_UPLOAD_MAX_MB", "").strip()
    mb = 200
    if raw:
        try:
            mb = int(raw)
        except ValueError:
            raise ValueError(f"FORECASTING_UPLOAD_MAX_MB={raw!r} is not a whole number") from None
        if mb <= 0:
            raise ValueError(f"FORECASTING_UPLOAD_MAX_MB={raw!r} must be positive")
    return mb * 1024 * 1024


@dataclass(frozen=True)
class Unpacked:
    """What one archive held: the NetCDF files taken from it and the files left out."""

    archive: str
    members: tuple[str, ...]
    skipped: tuple[str, ...] = ()


def is_archive(head: bytes) -> bool:
    """Whether bytes starting with ``head`` are a ZIP or gzip archive.

    Examples
    --------
    >>> is_archive(b"PK\\x03\\x04..."), is_archive(b"\\x1f\\x8b\\x08"), is_archive(b"CDF\\x01")
    (True, True, False)
    """
    return head.startswith((_ZIP, _GZIP))


def _too_large(archive: str, max_bytes: int) -> ValidationError:
    limit = f"{max_bytes / 1e6:.0f}"
    return ValidationError(f"{archive}: expands to more than {limit} MB, the limit for one run",
                           key="archive.too_large", file=archive, limit=limit)


def _gunzip(name: str, data: bytes, budget: int, max_bytes: int) -> tuple[str, bytes]:
    """One gzip file's content; a file of several gzip members (``cat a.gz b.gz``) is their concatenation, as
    ``gunzip`` gives it."""
    out, rest = bytearray(), data
    while rest.startswith(_GZIP):
        inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        try:
            out += inflate.decompress(rest, budget + 1 - len(out))
        except zlib.error as exc:
            raise ValidationError(f"{name}: a damaged gzip file ({exc})", key="archive.damaged", file=name) from None
        if len(out) > budget or inflate.unconsumed_tail:
            raise _too_large(name, max_bytes)
        if not inflate.eof:  # cut short: the download did not finish
            raise ValidationError(f"{name}: a damaged gzip file (it ends early)", key="archive.damaged", file=name)
        rest = inflate.unused_data
    inner = name[:-3] if name.lower().endswith(".gz") else f"{name}.nc"
    return inner, bytes(out)


def read_zip(name: str, data: bytes, *, budget: int, too_large, wanted=lambda member: True
             ) -> tuple[list[tuple[str, bytes]], list[str]]:
    """The members of a ZIP file as (name, bytes), read in chunks against ``budget`` bytes in all (the sizes
    its directory states are not trusted; ``too_large()`` is raised past it), and the names of those
    ``wanted(name)`` declines. Folders never reach the names; macOS's ``__MACOSX`` copies and hidden files are
    skipped; more than :data:`MAX_MEMBERS` files are refused before any is read.

    Raises
    ------
    ValidationError
        A damaged, encrypted or unreadably compressed ZIP (``archive.damaged``, ``archive.encrypted``), too many
        members (``archive.too_many_members``).
    """
    read, declined, used = [], [], 0
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            entries = [i for i in z.infolist() if not i.is_dir()]
            if len(entries) > MAX_MEMBERS:  # before reading any: the names alone would fill the preview
                raise ValidationError(f"{name}: {len(entries)} files in the archive; at most {MAX_MEMBERS} are read",
                                      key="archive.too_many_members", file=name, n=len(entries), max=MAX_MEMBERS)
            for info in entries:
                path = PurePosixPath(info.filename)
                if "__MACOSX" in path.parts or path.name.startswith("."):
                    continue
                if not wanted(path.name):
                    declined.append(path.name)
                    continue
                with z.open(info) as member:
                    parts = []
                    while chunk := member.read(_CHUNK):
                        used += len(chunk)
                        if used > budget:
                            raise too_large()
                        parts.append(chunk)
                read.append((path.name, b"".join(parts)))  # the name only: a member's folders never reach the disk
    except (zipfile.BadZipFile, zlib.error, EOFError) as exc:
        raise ValidationError(f"{name}: a damaged ZIP file ({exc})", key="archive.damaged", file=name) from None
    except RuntimeError as exc:  # an encrypted member ("File ... is encrypted, password required")
        raise ValidationError(f"{name}: an encrypted ZIP file ({exc})", key="archive.encrypted", file=name) from None
    except NotImplementedError as exc:  # a compression method the zipfile module does not read
        raise ValidationError(f"{name}: a ZIP file compressed in a way that cannot be read ({exc})",
                              key="archive.damaged", file=name) from None
    return read, declined


def _unzip(name: str, data: bytes, budget: int, max_bytes: int) -> tuple[list[tuple[str, bytes]], Unpacked]:
    members, _declined = read_zip(name, data, budget=budget, too_large=lambda: _too_large(name, max_bytes))
    kept = [(n, b) for n, b in members if b.startswith(NETCDF_MAGIC)]
    skipped = [n for n, b in members if not b.startswith(NETCDF_MAGIC)]
    if not kept:
        listed = ", ".join(skipped) or "—"
        raise ValidationError(f"{name}: no NetCDF file in the archive (it holds: {listed})", key="archive.no_netcdf",
                              file=name, members=listed, members_zh="、".join(skipped) or "—")
    return kept, Unpacked(name, tuple(n for n, _b in kept), tuple(skipped))


def bundle(files: list[tuple[str, bytes]]) -> bytes:
    """Several files (name, bytes) as one ZIP, as if they had come so (a forecaster's several daily exports,
    chosen together): what reads a ZIP reads them, and the ZIP is what is kept of the upload.

    Examples
    --------
    >>> with zipfile.ZipFile(io.BytesIO(bundle([("a.csv", b"x"), ("b.csv", b"y")]))) as z:
    ...     z.namelist()
    ['a.csv', 'b.csv']
    """
    names = [n for n, _b in files]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValidationError(f"two files named {', '.join(twice)}", key="archive.same_name",
                              names=", ".join(twice), names_zh="、".join(twice))
    raw = io.BytesIO()
    with zipfile.ZipFile(raw, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in files:
            z.writestr(name, data)
    return raw.getvalue()


def unpack(files: list[tuple[str, bytes]], *, max_bytes: int, max_files: int
           ) -> tuple[list[tuple[str, bytes]], list[Unpacked]]:
    """``files`` (name, bytes) with each ZIP or gzip archive replaced by its NetCDF members, and what each
    archive held.

    Raises
    ------
    ValidationError
        A damaged or encrypted archive, one without a NetCDF file, more than ``max_bytes`` in all once
        expanded, or more than ``max_files`` files in all.
    """
    out, notes, used = [], [], 0
    for name, data in files:
        if data.startswith(_ZIP):
            members, held = _unzip(name, data, max_bytes - used, max_bytes)
            notes.append(held)
        elif data.startswith(_GZIP):
            members = [_gunzip(name, data, max_bytes - used, max_bytes)]
            notes.append(Unpacked(name, (members[0][0],)))
        else:
            members = [(name, data)]
        used += sum(len(b) for _n, b in members)
        if used > max_bytes:
            raise _too_large(name, max_bytes)
        out += members
    if len(out) > max_files:
        raise ValidationError(f"{len(out)} files once the archives are expanded; at most {max_files} files make one "
                              "run", key="archive.too_many", n=len(out), max=max_files)
    names = [n for n, _b in out]
    twice = sorted({n for n in names if names.count(n) > 1})
    if twice:
        raise ValidationError(f"two files named {', '.join(twice)} once the archives are expanded",
                              key="archive.same_name", names=", ".join(twice), names_zh="、".join(twice))
    return out, notes


@contextlib.contextmanager
def unpacked_paths(paths, *, max_bytes: int | None = None, max_files: int = MAX_RUN_FILES
                   ) -> Iterator[tuple[list[Path], list[Unpacked]]]:
    """``paths`` as files on disk with each archive expanded (:func:`unpack`) into a temporary folder, removed
    on exit; the paths of plain files are given back as they are. Yields (paths, notes). The limits are one
    run's (:func:`max_run_bytes`, :data:`MAX_RUN_FILES`) unless given."""
    max_bytes = max_run_bytes() if max_bytes is None else max_bytes
    paths = [Path(p) for p in ([paths] if isinstance(paths, (str, Path)) else paths)]
    archives = []
    for p in paths:
        try:
            with open(p, "rb") as fh:
                archives.append(is_archive(fh.read(4)))
        except OSError:  # a missing file is the reader's to name
            archives.append(False)
    if not any(archives):
        yield paths, []
        return
    members, notes = unpack([(p.name, p.read_bytes()) for p, archive in zip(paths, archives) if archive],
                             max_bytes=max_bytes, max_files=max_files)
    plain = [p for p, archive in zip(paths, archives) if not archive]
    twice = sorted({n for n, _b in members} & {p.name for p in plain})
    if twice:
        raise ValidationError(f"two files named {', '.join(twice)} once the archives are expanded",
                              key="archive.same_name", names=", ".join(twice), names_zh="、".join(twice))
    if len(plain) + len(members) > max_files:
        n = len(plain) + len(members)
        raise ValidationError(f"{n} files once the archives are expanded; at most {max_files} files make one run",
                              key="archive.too_many", n=n, max=max_files)
    with tempfile.TemporaryDirectory(prefix="forecasting-unpacked-") as tmp:
        for member, data in members:
            (Path(tmp) / member).write_bytes(data)
        try:
            yield [*plain, *(Path(tmp) / m for m, _d in members)], notes
        except ForecastingError as exc:  # a member is named as the archive holds it, not by a folder soon gone
            prefix = tmp + os.sep
            if prefix not in str(exc) + repr(exc.params):
                raise
            params = {k: (v.replace(prefix, "") if isinstance(v, str) else v) for k, v in exc.params.items()}
            raise type(exc)(str(exc).replace(prefix, ""), key=exc.key, **params) from None
