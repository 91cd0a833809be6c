"""The built frontend (production): where it is, and the inline scripts its pages carry.

The Content-Security-Policy (api/headers.py) allows exactly these inline scripts by their SHA-256,
so no other inline script (an injected one) runs.
"""

from __future__ import annotations

import base64
import hashlib
import re
import threading
from pathlib import Path

from reflex.utils import prerequisites

_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\ssrc=)[^>]*>(.*?)</script>", re.DOTALL | re.IGNORECASE)
_lock = threading.Lock()
_cache: dict[str, tuple[float, tuple[str, ...]]] = {}


def client_dir() -> Path:
    """Where `reflex run --env prod` put the built pages and assets."""
    return prerequisites.get_web_dir() / "build" / "client"


def shell_path() -> Path:
    """The single-page shell every unknown path is answered with."""
    return client_dir() / "__spa-fallback.html"


def script_hash(source: str) -> str:
    """A CSP hash source for one inline script's text."""
    return "'sha256-" + base64.b64encode(hashlib.sha256(source.encode("utf-8")).digest()).decode() + "'"


def inline_script_hashes() -> tuple[str, ...]:
    """Hash sources of every inline script in the built pages (re-read after a new build)."""
    folder = client_dir()
    try:
        stamp = shell_path().stat().st_mtime
    except FileNotFoundError:
        return ()
    with _lock:
        cached = _cache.get(str(folder))
        if cached is not None and cached[0] == stamp:
            return cached[1]
    found: set[str] = set()
    for page in folder.rglob("*.html"):
        found.update(script_hash(body) for body in _INLINE_SCRIPT.findall(page.read_text(encoding="utf-8")))
    hashes = tuple(sorted(found))
    with _lock:
        _cache[str(folder)] = (stamp, hashes)
    return hashes
