"""Popup HTML for one incident, and the escaping every map string goes through.

Safety (STYLE §5): popup HTML comes from an autoescaping Jinja2 template and then
:func:`popup_safe`, since folium embeds it in a JS template literal and re-parses scripts as
Jinja2; data enters scripts only through :func:`script_json`.  The browser-built popups of large
maps (``assets/mapper/mapper-map.js``) mirror this template.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Mapping
from typing import Any

import jinja2
from markupsafe import Markup

from mapper.errors import InputError
from mapper.frame import is_missing

__all__ = ["bidi", "popup_html", "popup_safe", "script_json", "web_url"]

_TIME_WORDS = {
    1: "اليوم محدد / exact day",
    2: "ضمن أسبوع / within a week",
    3: "ضمن شهر / within a month",
}
_GEO_WORDS = {
    1: "في المكان نفسه / at the place",
    2: "قرب المكان أو في محيطه / near the place",
    3: "منطقة أوسع فقط / wider area only",
}
_LATIN = re.compile(r"[\x21-\x7e]+(?:[ \t]+[\x21-\x7e]+)*")
# ` $ \ break folium's JS template literal; { } because folium re-parses each rendered script
# as a Jinja2 template (branca ``Element(text)``), so a report's "{{7*7}}" would be evaluated.
_LITERAL_UNSAFE = str.maketrans(
    {"`": "&#96;", "$": "&#36;", "\\": "&#92;", "{": "&#123;", "}": "&#125;"}
)
_JINJA_OPEN = re.compile(r"\{(?=[{%#])")
_SCRIPT_UNSAFE = (
    ("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026"), ("\u2028", "\\u2028"),
    ("\u2029", "\\u2029"),
)  # fmt: skip


def bidi(value: object) -> Markup:
    """Escape ``value`` and isolate each run of Latin letters, digits and ASCII signs in <bdi>."""
    text, out, last = str(value), [], 0
    for match in _LATIN.finditer(text):
        out += [html.escape(text[last : match.start()]), f"<bdi>{html.escape(match[0])}</bdi>"]
        last = match.end()
    out.append(html.escape(text[last:]))
    return Markup("".join(out))


ENV = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined)
ENV.filters["bidi"] = bidi
_POPUP = ENV.from_string(
    '<div class="mapper-popup" dir="rtl" lang="ar">'
    '<div class="mp-place"><strong>{{ (p.place_ar or p.place_en)|bidi }}</strong>'
    '{% if p.place_en and p.place_ar %} <bdi lang="en">{{ p.place_en }}</bdi>{% endif %}</div>'
    "<div><b>التاريخ / date:</b> {% if p.date %}<bdi>{{ p.date }}</bdi>"
    "{% if p.time_words %} ({{ p.time_words }}){% endif %}"
    "{% else %}بلا تاريخ / undated{% endif %}</div>"
    "<div><b>النوع / type:</b> <bdi>{{ p.type }}</bdi>"
    "{% if p.sub %} — {{ p.sub|bidi }}{% endif %}</div>"
    "{% if p.actors %}<div><b>الأطراف / actors:</b> "
    "{% for a in p.actors %}{{ a|bidi }}{% if not loop.last %} ، {% endif %}{% endfor %}"
    "</div>{% endif %}"
    "<div><b>القتلى / fatalities:</b> {% if p.fatalities is none %}غير معروف / unknown"
    "{% else %}<bdi>{{ p.fatalities }}</bdi>{% endif %}</div>"
    '{% if p.claims %}<ul class="mp-claims">{% for party, kind, n in p.claims %}'
    "<li>{{ party|bidi }}: {% if kind == 'denial' %}نفى / denied{% else %}ادّعى / claimed"
    "{% endif %}{% if n is not none %} <bdi>{{ n }}</bdi>{% endif %}</li>{% endfor %}</ul>"
    "{% endif %}"
    "{% if p.geo_words %}<div><b>دقة الموقع / location precision:</b> {{ p.geo_words }}"
    "</div>{% endif %}"
    '{% if p.ev[0] or p.ev[1] or p.ev[2] %}<blockquote class="mp-evidence">{{ p.ev[0] }}'
    "{% if p.ev[1] %}<mark>{{ p.ev[1] }}</mark>{% endif %}{{ p.ev[2] }}</blockquote>{% endif %}"
    "{% if p.source or p.url %}<div><b>المصدر / source:</b> "
    '{% if p.web_url %}<a href="{{ p.web_url }}" target="_blank" rel="noopener noreferrer">'
    "{{ (p.source or p.url)|bidi }}</a>{% else %}{{ (p.source or p.url)|bidi }}{% endif %}"
    "</div>{% endif %}</div>"
)


def popup_safe(markup: str) -> str:
    """Make escaped HTML safe for folium: `` ` `` ``$`` ``\\`` ``{`` ``}`` -> entities.

    folium 0.20 puts popup HTML in `` $(`...`) ``: a report's ``${...}`` would run as JS and a
    stray backslash breaks the page.  folium also re-parses every rendered script as a Jinja2
    template, so ``{{...}}`` would be evaluated on the server.  As entities they render as the
    same characters.
    """
    return str(markup).translate(_LITERAL_UNSAFE)


def script_json(value: Any) -> Markup:
    """JSON that is safe inside ``<script>``: ``<``, ``>``, ``&`` and line separators escaped."""
    text = json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    # JSON never has "{{", "{%" or "{#" outside a string: escaping them keeps folium's second
    # Jinja2 pass from evaluating data.
    for char, escape in _SCRIPT_UNSAFE:  # str.replace: 10x faster than translate on 100 MB
        text = text.replace(char, escape)
    return Markup(_JINJA_OPEN.sub(r"\\u007b", text))


def web_url(url: object) -> str | None:
    """``url`` when it is an http(s) URL that may become a link; ``None`` otherwise."""
    if not isinstance(url, str) or not re.fullmatch(r"(?i)https?://\S+", url.strip()):
        return None
    return url.strip()


def popup_html(row: Mapping[str, Any]) -> str:
    """The popup of one incident row (ACLED column names), escaped and literal-safe."""
    return popup_safe(_POPUP.render(p=_popup_fields(row)))


def text_value(value: object) -> str:
    return "" if is_missing(value) else str(value)


def int_value(value: object) -> int | None:
    return None if is_missing(value) or value == "" else int(value)  # type: ignore[call-overload]


def evidence_parts(row: Mapping[str, Any]) -> tuple[str, str, str]:
    """The evidence sentence split around the place name (``mention_*`` are report offsets)."""
    starts = (int_value(row.get(k)) for k in ("evidence_start", "mention_start", "mention_end"))
    return split_evidence(text_value(row.get("evidence")), *starts)


def split_evidence(
    evidence: str, ev_start: int | None, start: int | None, end: int | None
) -> tuple[str, str, str]:
    """``evidence`` before, at and after the mention ``[start, end)`` (report offsets)."""
    if ev_start is None or start is None or end is None:
        return evidence, "", ""
    rel_start, rel_end = start - ev_start, end - ev_start
    if not 0 <= rel_start < rel_end <= len(evidence):
        return evidence, "", ""
    return evidence[:rel_start], evidence[rel_start:rel_end], evidence[rel_end:]


def claim_items(raw: object) -> list[tuple[str, str, int | None]]:
    """``(party, kind, fatalities)`` of a ``claims`` value (a JSON list of objects, or a list)."""
    if is_missing(raw) or raw == "":
        return []
    try:
        items = json.loads(raw) if isinstance(raw, str) else raw
    except json.JSONDecodeError as err:
        raise InputError(f"not JSON: {raw!r} ({err})", field="claims") from err
    if not isinstance(items, list) or not all(isinstance(c, Mapping) for c in items):
        raise InputError(f"expected a JSON list of objects, got {raw!r}", field="claims")
    return [
        (text_value(c.get("party")), text_value(c.get("kind")), int_value(c.get("fatalities")))
        for c in items
    ]


def _popup_fields(row: Mapping[str, Any]) -> dict[str, Any]:
    date = text_value(row.get("event_date"))
    return {
        "place_ar": text_value(row.get("location_ar")),
        "place_en": text_value(row.get("location")),
        "date": date,
        "time_words": _TIME_WORDS.get(int_value(row.get("time_precision")) or 0, ""),
        "type": text_value(row.get("event_type")),
        "sub": text_value(row.get("sub_event_type")),
        "actors": [a for a in (text_value(row.get("actor1")), text_value(row.get("actor2"))) if a],
        "fatalities": int_value(row.get("fatalities")),
        "claims": claim_items(row.get("claims")),
        "geo_words": _GEO_WORDS.get(int_value(row.get("geo_precision")) or 0, ""),
        "ev": evidence_parts(row),
        "source": text_value(row.get("source")),
        "url": text_value(row.get("url")),
        "web_url": web_url(row.get("url")),
    }
