"""On-disk cache of generated modules.

Each generated kernel is a real ``.py`` file in :func:`cache_dir` (the user cache
directory from ``platformdirs``, or ``$SYMGEN_CACHE``), named after the operation and
keyed by a hash of the IR, the backend and the symgen version. Files are written
atomically (temporary file, then ``os.replace``), so two processes compiling the same
kernel both succeed. The first line of each file records a SHA-256 of the rest; a
truncated or edited entry fails that check and is regenerated, never imported.

>>> import os, tempfile
>>> previous = os.environ.get("SYMGEN_CACHE")
>>> os.environ["SYMGEN_CACHE"] = tempfile.mkdtemp()
>>> path = store("demo", "abc123", "x = 1\\n")
>>> load_source(path) == "x = 1\\n"
True
>>> _ = path.write_text(path.read_text() + "junk")   # corrupt it
>>> load_source(path) is None
True
>>> _ = os.environ.pop("SYMGEN_CACHE") if previous is None else os.environ.update(SYMGEN_CACHE=previous)
"""

from __future__ import annotations

import functools
import hashlib
import importlib.util
import os
import sys
import tempfile
from pathlib import Path

import platformdirs

from .._version import __version__

__all__ = ["cache_dir", "module_path", "hash_key", "store", "load_source", "import_module", "get_or_create"]

_CHECK = "# symgen-sha256: "


def cache_dir() -> Path:
    """Directory for generated code: ``$SYMGEN_CACHE`` or the user cache dir."""
    root = os.environ.get("SYMGEN_CACHE") or platformdirs.user_cache_dir("symgen")
    path = Path(root)
    path.mkdir(parents=True, exist_ok=True)
    return path


def module_path(name: str, key: str) -> Path:
    """Where the module for kernel ``name`` with hash ``key`` lives."""
    return cache_dir() / f"{name}_{key[:20]}.py"


def _checksum(body: str) -> str:
    return hashlib.sha256(body.encode()).hexdigest()


def store(name: str, key: str, body: str) -> Path:
    """Write ``body`` atomically with a checksum header; return the file's path."""
    path = module_path(name, key)
    text = f"{_CHECK}{_checksum(body)}\n{body}"
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w") as fh:
            fh.write(text)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def load_source(path: Path) -> str | None:
    """The module body at ``path`` if the file exists and its checksum holds, else None."""
    try:
        text = Path(path).read_text()
    except (OSError, UnicodeDecodeError):
        return None
    head, sep, body = text.partition("\n")
    if not sep or not head.startswith(_CHECK) or head[len(_CHECK):] != _checksum(body):
        return None
    return body


@functools.cache
def generator_fingerprint() -> str:
    """Hash of the code generators' own source, so editing a generator invalidates the cache."""
    h = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        h.update(path.read_bytes())
    return h.hexdigest()


def hash_key(ir, backend: str, strategy: str) -> str:
    """Cache key: hash of the IR, its labels, backend, strategy, generators and symgen version."""
    h = hashlib.sha256()
    for part in (ir.key(), repr(getattr(ir, "labels", ())), getattr(ir, "doc", ""),
                 backend, strategy, __version__, generator_fingerprint()):
        h.update(part.encode())
        h.update(b"\x00")
    return h.hexdigest()


def import_module(path: Path):
    """Import the module file at ``path`` (once per process)."""
    modname = f"symgen_generated_{path.stem}"
    if modname in sys.modules:
        return sys.modules[modname]
    spec = importlib.util.spec_from_file_location(modname, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    sys.modules[modname] = module
    return module


def get_or_create(name: str, key: str, generate):
    """Path and body of a valid cached module, generating it with ``generate()`` if needed."""
    path = module_path(name, key)
    body = load_source(path)
    if body is None:
        body = generate()
        path = store(name, key, body)
    return path, body
