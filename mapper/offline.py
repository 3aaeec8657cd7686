"""Make folium's HTML work without a network: vendored Leaflet & co. instead of CDN links.

folium writes ``<script src="https://cdn...">`` and ``<link href="https://cdn...">`` tags.
:func:`make_offline` swaps each for a file in ``mapper/assets/`` (see its README for versions
and licences): inlined into one self-contained page by default, or copied into ``assets_dir``
and linked by a relative path.  A URL with no vendored file raises :class:`RenderError` naming
it: a saved map never keeps a CDN link silently.  Stdlib only.
"""

from __future__ import annotations

import base64
import html
import os
import re
import shutil
from dataclasses import dataclass
from os import PathLike
from pathlib import Path, PurePosixPath
from urllib.parse import urlsplit

from mapper.errors import RenderError

__all__ = ["ASSETS_DIR", "Asset", "asset_for_url", "external_urls", "make_offline", "read_asset"]

ASSETS_DIR = Path(__file__).resolve().parent / "assets"


@dataclass(frozen=True, slots=True)
class Asset:
    """One vendored file: ``path`` is relative to :data:`ASSETS_DIR` (POSIX form)."""

    path: str
    kind: str  # "js" or "css"


# A CDN file name (last path segment) -> the vendored file that replaces it.
_BY_FILENAME: dict[str, Asset] = {
    "leaflet.js": Asset("leaflet/leaflet.js", "js"),
    "leaflet-src.js": Asset("leaflet/leaflet.js", "js"),
    "leaflet.css": Asset("leaflet/leaflet.css", "css"),
    "jquery.min.js": Asset("jquery/jquery.min.js", "js"),
    "jquery-3.7.1.min.js": Asset("jquery/jquery.min.js", "js"),
    "jquery.js": Asset("jquery/jquery.min.js", "js"),
    "leaflet.markercluster.js": Asset("markercluster/leaflet.markercluster.js", "js"),
    "leaflet.markercluster-src.js": Asset("markercluster/leaflet.markercluster.js", "js"),
    "MarkerCluster.css": Asset("markercluster/MarkerCluster.css", "css"),
    "MarkerCluster.Default.css": Asset("markercluster/MarkerCluster.Default.css", "css"),
    "leaflet_heat.min.js": Asset("heat/leaflet-heat.js", "js"),
    "leaflet-heat.js": Asset("heat/leaflet-heat.js", "js"),
    "Control.FullScreen.min.js": Asset("fullscreen/Control.FullScreen.js", "js"),
    "Control.FullScreen.js": Asset("fullscreen/Control.FullScreen.js", "js"),
    "Control.FullScreen.css": Asset("fullscreen/Control.FullScreen.css", "css"),
}
# Hosts folium's templates use; a known file name from another host is still an unknown URL.
_CDN_HOSTS = frozenset(
    {"cdn.jsdelivr.net", "cdnjs.cloudflare.com", "code.jquery.com", "unpkg.com", "npmcdn.com"}
)
_TAG = re.compile(
    r"""<script\b[^>]*?\bsrc\s*=\s*["']([^"']*)["'][^>]*>\s*</script\s*>"""
    r"""|<link\b[^>]*?\bhref\s*=\s*["']([^"']*)["'][^>]*?/?>""",
    re.IGNORECASE,
)
_CSS_URL = re.compile(r"""url\(\s*["']?(?!data:|#|https?:|//)([^"')]+)["']?\s*\)""")
_SOURCE_MAP = re.compile(r"^\s*/[/*]# sourceMappingURL=.*$", re.MULTILINE)
_MIME = {".png": "image/png", ".svg": "image/svg+xml", ".gif": "image/gif"}


def _is_external(url: str) -> bool:
    lowered = html.unescape(url).strip().lower()
    return lowered.startswith(("http:", "https:", "//"))


def external_urls(page: str) -> list[str]:
    """Every ``<script src>`` / ``<link href>`` in ``page`` that points at the network."""
    urls = []
    for match in _TAG.finditer(page):
        url = match.group(1) if match.group(1) is not None else match.group(2)
        if _is_external(url):
            urls.append(html.unescape(url))
    return urls


def asset_for_url(url: str) -> Asset:
    """The vendored file standing in for a CDN ``url``; :class:`RenderError` when none does."""
    parts = urlsplit(url if "://" in url else f"https:{url}")
    name = PurePosixPath(parts.path).name
    asset = _BY_FILENAME.get(name)
    if parts.hostname not in _CDN_HOSTS or asset is None:
        raise RenderError(
            f"no vendored file for external asset {url!r}: the saved map would need the network"
        )
    return asset


def read_asset(path: str) -> str:
    """The text of a vendored file (``path`` relative to :data:`ASSETS_DIR`)."""
    return (ASSETS_DIR / path).read_text(encoding="utf-8")


def make_offline(
    page: str,
    *,
    assets_dir: str | PathLike[str] | None = None,
    html_dir: str | PathLike[str] | None = None,
) -> str:
    """Return ``page`` with every CDN script and stylesheet replaced by a vendored file.

    Parameters
    ----------
    page:
        HTML as folium renders it (``m.get_root().render()``).
    assets_dir:
        ``None`` (default) inlines each file, giving one self-contained page.  Otherwise the
        files are copied into this folder and linked by a path relative to ``html_dir``.
    html_dir:
        The folder the page will be saved in (default: the working directory).

    Raises
    ------
    RenderError
        A script or stylesheet URL with no vendored file; the message names the URL.
    """
    seen: set[str] = set()

    def replace(match: re.Match[str]) -> str:
        url = match.group(1) if match.group(1) is not None else match.group(2)
        if not _is_external(url):
            return match.group(0)
        asset = asset_for_url(html.unescape(url))
        if asset.path in seen:  # two CDN names for one file (jquery from two plugins)
            return ""
        seen.add(asset.path)
        if assets_dir is None:
            return _inline(asset)
        return _link(asset, Path(assets_dir), Path(html_dir or "."))

    result = _TAG.sub(replace, page)
    left = external_urls(result)
    if left:  # cannot happen unless a tag escaped the pattern; never ship a CDN link
        raise RenderError(f"external asset left in the page: {left[0]!r}")
    return result


def _inline(asset: Asset) -> str:
    text = _SOURCE_MAP.sub("", read_asset(asset.path))
    if asset.kind == "js":
        text = re.sub(r"</(script)", r"<\\/\1", text, flags=re.IGNORECASE)
        return f"<script>{text}</script>"
    folder = (ASSETS_DIR / asset.path).parent
    text = _CSS_URL.sub(lambda m: f'url("{_data_uri(folder / m.group(1))}")', text)
    text = re.sub(r"</(style)", r"<\\/\1", text, flags=re.IGNORECASE)
    return f"<style>{text}</style>"


def _data_uri(path: Path) -> str:
    mime = _MIME.get(path.suffix.lower())
    if mime is None or not path.is_file():
        raise RenderError(f"stylesheet refers to {path.name!r}, which is not vendored")
    return f"data:{mime};base64,{base64.b64encode(path.read_bytes()).decode('ascii')}"


def _link(asset: Asset, assets_dir: Path, html_dir: Path) -> str:
    source = ASSETS_DIR / asset.path
    target = assets_dir / asset.path
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(source, target)
    if asset.kind == "css":  # the images the stylesheet points at travel with it
        for name in _CSS_URL.findall(source.read_text(encoding="utf-8")):
            extra = source.parent / name
            if extra.is_file():
                (target.parent / name).parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(extra, target.parent / name)
    relative = Path(os.path.relpath(target.resolve(), html_dir.resolve())).as_posix()
    ref = html.escape(relative, quote=True)
    if asset.kind == "js":
        return f'<script src="{ref}"></script>'
    return f'<link rel="stylesheet" href="{ref}"/>'
