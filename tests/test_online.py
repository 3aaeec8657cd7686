"""The online fallback against a real HTTP server on 127.0.0.1 that answers like Nominatim.

geopy's own Nominatim class is pointed at it (``domain``, ``scheme="http"``) through
``get_geocoder_for_service``; no request leaves the machine (pytest-socket allows 127.0.0.1).
"""

from __future__ import annotations

import copy
import json
import sqlite3
from collections.abc import Iterator
from functools import cache
from pathlib import Path

import pytest

from mapper.cli import main
from mapper.errors import ConfigError
from mapper.geocache import AnswerCache
from mapper.models import Mention, Report
from mapper.online import SERVICE_CONFIDENCE, GeocoderWarning, OnlineFallback, query_name
from mapper.pipeline import Pipeline
from tests.nominatim_server import NominatimServer, Reply, place, running

TEXT = "قصفت طائرات مسيرة قرية الشويحات وقرية الكرامشة ثم بلدة المصيفرة"


@pytest.fixture
def server() -> Iterator[NominatimServer]:
    with running() as srv:
        srv.replies["الشويحات"] = Reply([place(11, "الشويحات", 34.91, 40.52, name_en="Shuwayhat")])
        srv.replies["الكرامشة"] = Reply([])  # not found
        srv.replies["المصيفرة"] = Reply([place(13, "المصيفرة", 35.1, 40.3, kind="town")])
        yield srv


def fallback(server: NominatimServer, cache: Path, **kw) -> OnlineFallback:
    kw.setdefault("min_delay", 0.05)
    kw.setdefault("error_wait", 0.05)
    kw.setdefault("max_retries", 1)
    return OnlineFallback(
        "nominatim",
        cache=cache,
        user_agent="mapper-tests",
        options={"domain": server.domain, "scheme": "http"},
        **kw,
    )


def mentions(fb: OnlineFallback, text: str = TEXT) -> dict[str, Mention]:
    return {m.surface: m for m in with_fallback(fb).find_places(text)}


@cache
def _base() -> Pipeline:
    return Pipeline()


def with_fallback(fb: OnlineFallback) -> Pipeline:
    """The bundled pipeline (built once) with ``fb`` as its fallback."""
    pipe = copy.copy(_base())
    pipe.fallback = fb
    return pipe


def test_unresolved_names_are_placed_and_marked(server: NominatimServer, tmp_path: Path) -> None:
    found = mentions(fallback(server, tmp_path / "c.sqlite"))
    m = found["الشويحات"]
    assert m.place_id == "nominatim:node/11" and m.place_source == "nominatim"
    assert (m.lat, m.lon) == (34.91, 40.52) and m.kind == "village" and m.name == "Shuwayhat"
    assert m.confidence <= SERVICE_CONFIDENCE < 0.4
    assert found["الكرامشة"].place_id == "" and found["الكرامشة"].place_source == ""
    assert found["المصيفرة"].kind == "town"
    (sent, *_) = server.requests
    assert sent.user_agent == "mapper-tests"
    assert sent.params["countrycodes"] == "sy,iq" and "viewbox" in sent.params
    assert sent.params["namedetails"] == "1"


def test_every_answer_is_cached_and_asked_once(server: NominatimServer, tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    first = mentions(fallback(server, cache))
    assert sorted(server.queries()) == sorted(["الشويحات", "الكرامشة", "المصيفرة"])
    again = fallback(server, cache)
    assert mentions(again) == first
    assert len(server.requests) == 3, "the second run asked again"
    assert again.stats == {"from cache": 3}
    rows = sqlite3.connect(cache).execute("SELECT service, query, asked_at, raw FROM answers")
    by_query = {r[1]: r for r in rows}
    assert by_query["الكرامشة"][3] == "[]"  # "not found" is an answer too
    assert by_query["الشويحات"][0] == f"nominatim@{server.domain}"
    assert json.loads(by_query["الشويحات"][3])[0]["raw"]["osm_id"] == 11


def test_spellings_that_normalize_alike_share_one_answer(
    server: NominatimServer, tmp_path: Path
) -> None:
    fb = fallback(server, tmp_path / "c.sqlite")
    mentions(fb, "قرية الشويحات")
    mentions(fb, "وفي قرية الشويحاتِ")
    assert server.queries() == ["الشويحات"]


def test_requests_keep_the_minimum_delay(server: NominatimServer, tmp_path: Path) -> None:
    # 1 s (the default) rather than less: the gaps are measured on the server, where a loaded
    # machine can delay one arrival by a tenth of a second; at 0.4 s that failed once under load
    fb = fallback(server, tmp_path / "c.sqlite", min_delay=1.0, error_wait=0.4)
    mentions(fb)
    gaps = server.gaps()
    assert len(gaps) == 2
    # measured on the server: arrival jitter may eat a little of the client's spacing
    assert min(gaps) >= 1.0 * 0.8, gaps


def test_offline_never_asks_even_with_an_empty_cache(
    server: NominatimServer, tmp_path: Path
) -> None:
    cache = tmp_path / "c.sqlite"
    fb = OnlineFallback("nominatim", cache=cache, offline=True)  # no user agent needed
    assert all(m.place_id == "" for m in mentions(fb).values())
    assert server.requests == [] and fb.stats == {"not cached (offline)": 3}
    mentions(fallback(server, cache))
    asked = len(server.requests)
    same = {"domain": server.domain}  # answers are kept per service and domain
    offline = mentions(OnlineFallback("nominatim", cache=cache, offline=True, options=same))
    assert offline["الشويحات"].place_id == "nominatim:node/11"
    assert len(server.requests) == asked


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(status=429, body="{}"), "GeocoderRateLimited"),
        (Reply(status=500, body="oops"), "GeocoderServiceError"),
        (Reply(body="[{not json"), "GeocoderParseError"),
        (Reply(body='[{"lat": "north", "lon": "40"}]'), "malformed answer"),
        (Reply(body='{"results": 3}'), "malformed answer"),
    ],
    ids=["429", "500", "not-json", "bad-lat", "not-a-list"],
)
def test_a_failing_answer_warns_and_the_run_goes_on(
    server: NominatimServer, tmp_path: Path, reply: Reply, expected: str
) -> None:
    server.replies["الشويحات"] = reply
    cache = tmp_path / "c.sqlite"
    with pytest.warns(GeocoderWarning, match=rf"'الشويحات' left unresolved.*{expected}"):
        found = mentions(fallback(server, cache))
    assert found["الشويحات"].place_id == ""
    assert found["المصيفرة"].place_id == "nominatim:node/13"
    assert AnswerCache(cache).get(f"nominatim@{server.domain}", "الشويحات") is None


def test_a_time_out_is_retried_then_warned(server: NominatimServer, tmp_path: Path) -> None:
    server.replies["الشويحات"] = Reply([place(11, "الشويحات", 34.9, 40.5)], delay=0.6)
    fb = fallback(server, tmp_path / "c.sqlite", timeout=0.2, max_retries=1)
    with pytest.warns(GeocoderWarning, match="GeocoderTimedOut"):
        found = mentions(fb)
    assert server.queries().count("الشويحات") == 2  # one retry
    assert found["الشويحات"].place_id == "" and found["المصيفرة"].place_id
    assert fb.stats["failed"] == 1


def test_a_failing_service_is_left_alone_after_three_failures(
    server: NominatimServer, tmp_path: Path
) -> None:
    for name in ("الشويحات", "الكرامشة", "المصيفرة"):
        server.replies[name] = Reply(status=500, body="down")
    fb = fallback(server, tmp_path / "c.sqlite", max_retries=0)
    with pytest.warns(GeocoderWarning) as caught:
        mentions(fb, TEXT + " وقرية الطحيحة")
    assert "not asking again" in str(caught[-1].message)
    assert len(server.requests) == 3 and fb.stats["not asked (service failing)"] == 1


def test_answers_outside_the_region_or_of_other_types_are_not_used(
    server: NominatimServer, tmp_path: Path
) -> None:
    server.replies["الشويحات"] = Reply(
        [place(21, "الشويحات", 36.8, 10.2), place(22, "الشويحات", 34.9, 40.5, kind="road")]
    )
    assert mentions(fallback(server, tmp_path / "c.sqlite"))["الشويحات"].place_id == ""


def test_precision_follows_the_answer_type(server: NominatimServer, tmp_path: Path) -> None:
    server.replies["الشويحات"] = Reply([place(31, "الشويحات", 35.0, 40.0, kind="state")])
    pipe = with_fallback(fallback(server, tmp_path / "c.sqlite"))
    text = "قتل مدنيان في قصف جوي على بلدة المصيفرة. واندلعت اشتباكات عنيفة في قرية الشويحات."
    incidents = pipe.process(Report(id="r", text=text)).incidents
    precision = {i.location_ar: i.geo_precision for i in incidents}
    assert precision == {"المصيفرة": 1, "الشويحات": 3}
    by_name = {i.location_ar: i for i in incidents}
    assert by_name["المصيفرة"].place_id == "nominatim:node/13"
    assert "placed by the online geocoder nominatim" in by_name["المصيفرة"].notes
    assert (by_name["الشويحات"].latitude, by_name["الشويحات"].place_id) == (
        35.0,
        "nominatim:node/31",
    )


def test_a_noun_prefers_an_answer_of_its_kind(server: NominatimServer, tmp_path: Path) -> None:
    server.replies["المصيفرة"] = Reply(
        [place(41, "المصيفرة", 35.0, 40.0, kind="state"), place(42, "المصيفرة", 35.1, 40.1)]
    )
    found = mentions(fallback(server, tmp_path / "c.sqlite"))
    assert found["المصيفرة"].place_id == "nominatim:node/42"  # بلدة: a settlement


@pytest.mark.parametrize(
    ("service", "options", "restriction"),
    [
        ("nominatim", {"user_agent": "t"}, {"country_codes", "viewbox", "namedetails"}),
        ("photon", {}, {"bbox", "limit"}),
        ("geonames", {"username": "t"}, {"country"}),
        ("pelias", {"domain": "t", "api_key": "k"}, {"boundary_rect"}),
    ],
)
def test_each_service_is_restricted_as_it_can_be(
    service: str, options: dict[str, str], restriction: set[str]
) -> None:
    from geopy.geocoders import get_geocoder_for_service

    from mapper.online import _restriction

    kwargs = _restriction(get_geocoder_for_service(service)(**options).geocode)
    assert restriction <= set(kwargs) and kwargs["exactly_one"] is False


def test_photon_and_geonames_answers_become_candidates() -> None:
    from mapper.online import candidate

    photon = {
        "type": "Feature",
        "properties": {"osm_type": "N", "osm_id": 7, "osm_value": "hamlet", "type": "city"},
    }
    c = candidate("x", "photon", {"address": "X", "lat": 34.9, "lon": 40.5, "raw": photon})
    assert (c.kind, c.ident) == ("village", "n/7")
    geonames = {"fcode": "ADM2", "geonameId": 99, "countryCode": "IQ", "toponymName": "Qaim"}
    c = candidate("x", "geonames", {"address": "Q", "lat": 34.3, "lon": 41.1, "raw": geonames})
    assert (c.kind, c.ident, c.country, c.name_en) == ("district", "geonames/99", "IQ", "Qaim")


def test_configuration_errors(tmp_path: Path) -> None:
    cache = tmp_path / "c.sqlite"
    with pytest.raises(ConfigError, match="user-agent"):
        OnlineFallback("nominatim", cache=cache)
    with pytest.raises(ConfigError, match="unknown geocoder 'nowhere'"):
        OnlineFallback("nowhere", cache=cache)
    with pytest.raises(ConfigError, match="colour"):
        OnlineFallback("photon", cache=cache, options={"colour": "red"})


def test_query_name_drops_a_proclitic_before_the_article() -> None:
    assert query_name("والبقان") == "البقان"
    assert query_name("وبالطوطحية") == "الطوطحية"
    assert query_name("بقان") == "بقان"
    assert query_name("تل الحمام") == "تل الحمام"


# --- through the command line -------------------------------------------------------------


def cli(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_places_command_asks_once_then_reads_the_cache(
    server: NominatimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text(json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False) + "\n", "utf-8")
    online = [
        "--geocoder=nominatim",
        f"--geocoder-option=domain={server.domain}",
        "--geocoder-option=scheme=http",
        "--user-agent=test",
        f"--geocoder-cache={tmp_path / 'c.sqlite'}",
        "--geocoder-delay=0.05",
    ]
    code, out, err = cli(capsys, "places", str(src), *online)
    assert code == 0, err
    (row,) = map(json.loads, out.splitlines())
    by = {m["surface"]: m for m in row["mentions"]}
    assert by["الشويحات"]["place_source"] == "nominatim"
    assert by["الشويحات"]["place_id"] == "nominatim:node/11"
    assert by["الكرامشة"]["place_source"] is None
    assert "3 asked" in err and len(server.requests) == 3
    code, out2, err = cli(capsys, "places", str(src), *online)
    assert code == 0 and out2 == out and "3 from cache" in err and len(server.requests) == 3
    code, out3, err = cli(capsys, "places", str(src), *online, "--offline")
    assert out3 == out and len(server.requests) == 3


def test_cli_offline_with_an_empty_cache_and_a_warning_on_stderr(
    server: NominatimServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    src = tmp_path / "r.jsonl"
    src.write_text(json.dumps({"id": "a", "text": TEXT}, ensure_ascii=False) + "\n", "utf-8")
    cache = f"--geocoder-cache={tmp_path / 'c.sqlite'}"
    code, out, err = cli(capsys, "places", str(src), "--geocoder=nominatim", "--offline", cache)
    assert code == 0 and server.requests == [] and "3 not cached (offline)" in err
    server.replies["الشويحات"] = Reply(status=500, body="down")
    code, out, err = cli(
        capsys,
        "extract",
        str(src),
        "--geocoder=nominatim",
        f"--geocoder-option=domain={server.domain}",
        "--geocoder-option=scheme=http",
        "--user-agent=test",
        cache,
        "--geocoder-delay=0.05",
        "--geocoder-retries=0",
    )
    assert code == 0
    assert "warning: nominatim: 'الشويحات' left unresolved" in err
    assert "nominatim:node/13" in out


def test_cli_geocoder_usage_errors(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "places", "--offline", str(tmp_path / "x.jsonl"))
    assert code == 2 and "--offline needs --geocoder" in err
    code, _, err = cli(capsys, "places", "--geocoder-option", "novalue", "--geocoder=photon")
    assert code == 2 and "KEY=VALUE" in err
    cache = f"--geocoder-cache={tmp_path / 'c.sqlite'}"
    code, _, err = cli(capsys, "places", "--geocoder=nominatim", "-", cache)
    assert code == 1 and "user-agent" in err
    run = ["run", "-", "--out", str(tmp_path / "o"), "--geocoder=nominatim", "--offline", cache]
    code, _, err = cli(capsys, *run, "--workers=2")
    assert code == 1 and "needs --workers 1" in err
    code, _, err = cli(capsys, *run, "--engine=dask")
    assert code == 2 and "needs --engine local" in err
    code, _, err = cli(capsys, "gazetteer", "unresolved", str(tmp_path / "none.gpkg"))
    assert code == 1 and "none.gpkg: no such store" in err and not (tmp_path / "none.gpkg").exists()


# --- growing the gazetteer ----------------------------------------------------------------


def test_unresolved_then_suggest_then_extra_resolves(
    server: NominatimServer,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    src = tmp_path / "r.jsonl"
    reports = [
        {"id": "a", "text": TEXT},
        {"id": "b", "text": "سقطت قذائف على قرية الشويحات صباح اليوم"},
    ]
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in reports), "utf-8")
    code, _, err = cli(capsys, "run", str(src), "--out", "out", "-q")
    assert code == 0, err
    code, out, _ = cli(capsys, "gazetteer", "unresolved", "out/incidents.gpkg")
    header, first, *rest = out.splitlines()
    assert header.split("\t") == ["count", "reports", "name", "placed_by", "example"]
    count, n_reports, name, placed, example = first.split("\t")
    assert (count, n_reports, name, placed) == ("2", "2", "الشويحات", "")
    assert "[الشويحات]" in example and " | " in example
    assert {line.split("\t")[2] for line in rest} == {"الكرامشة", "المصيفرة"}

    online = [
        "--geocoder=nominatim",
        f"--geocoder-option=domain={server.domain}",
        "--geocoder-option=scheme=http",
        "--user-agent=test",
        "--geocoder-delay=0.05",
    ]
    code, _, err = cli(
        capsys, "gazetteer", "suggest", "out/incidents.gpkg", *online, "-o", "cand.csv"
    )
    assert code == 0, err
    assert (tmp_path / "out" / "geocode-cache.sqlite").exists()  # next to the store
    rows = (tmp_path / "cand.csv").read_text("utf-8").splitlines()
    assert len(rows) == 3 and rows[1].startswith("nominatim-node-11,الشويحات,")
    code, out, err = cli(capsys, "gazetteer", "check", "cand.csv")
    assert code == 0 and "errors: 0" in out, out + err
    code, out, err = cli(capsys, "gazetteer", "check", "--gazetteer-extra", "cand.csv")
    assert code == 0, out + err

    code, out, _ = cli(capsys, "places", str(src), "--gazetteer-extra", "cand.csv")
    ids = {m["surface"]: m["place_id"] for m in json.loads(out.splitlines()[1])["mentions"]}
    assert ids == {"الشويحات": "nominatim-node-11"}
    (tmp_path / "mapper.toml").write_text('gazetteer-extra = ["cand.csv"]\n', "utf-8")
    code, out2, _ = cli(capsys, "places", str(src))
    assert out2 == out
    code, out, _ = cli(capsys, "extract", str(src))
    assert '"place_id": "nominatim-node-11"' in out
    code, _, err = cli(capsys, "run", str(src), "--out", "out", "-q", "--geocoder", "nominatim")
    assert code == 1 and "user-agent" in err  # a config's extra does not hide the usual checks
    code, _, _ = cli(capsys, "run", str(src), "--out", "out2", "-q")
    code, out, _ = cli(capsys, "gazetteer", "unresolved", "out2/incidents.gpkg")
    assert [line.split("\t")[2] for line in out.splitlines()[1:]] == ["الكرامشة"]
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    code, out, err = cli(
        capsys, "gazetteer", "suggest", "الشويحات", "--geocoder=nominatim", "--offline"
    )
    assert code == 0 and len(out.splitlines()) == 1  # the user cache has no answers yet
    assert "1 not cached (offline)" in err and (tmp_path / "cache" / "mapper").is_dir()
