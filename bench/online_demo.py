"""The online fallback against a local server that answers like Nominatim: log and request rate.

Starts ``tests/nominatim_server.py`` on 127.0.0.1, writes reports naming villages the gazetteer
lacks (invented names), runs ``mapper places --geocoder nominatim`` on them twice with the
default delay (1 s), and prints the ``mapper.online`` log, the command's summary line, and the
request times the server recorded: the first run asks each distinct name once, the second
answers every name from the cache and sends nothing.

    .venv/bin/python bench/online_demo.py [--names 8] [--delay 1.0]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import logging
import sys
import tempfile
from itertools import pairwise
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mapper.cli import main
from tests.nominatim_server import Reply, place, running

NAMES = ["الشويحات", "الكرامشة", "المصيفرة", "الطحيحة", "الزويرات", "الحميدات", "الجويفة"]
NAMES += ["العكيرشة", "الخريطة", "البويضة", "السعيدات", "الحسينات"]


def reports(names: list[str]) -> list[dict[str, str]]:
    """Each name twice (a repeat inside one run is a cache hit too), one left unfound."""
    out = []
    for i, name in enumerate(names):
        out.append({"id": f"r{i}a", "text": f"قصفت طائرات مسيرة قرية {name} صباح اليوم"})
        out.append({"id": f"r{i}b", "text": f"اشتباكات عنيفة قرب قرية {name} مساء أمس"})
    return out


def run_once(label: str, argv: list[str]) -> None:
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(argv)
    print(f"--- {label}: exit {code}")
    print(err.getvalue().rstrip())


def main_() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--names", type=int, default=8)
    ap.add_argument("--delay", type=float, default=1.0)
    args = ap.parse_args()
    names = NAMES[: args.names]
    logging.basicConfig(
        level=logging.INFO,
        format="%(relativeCreated)8.0f ms %(name)s: %(message)s",
        stream=sys.stderr,
    )
    with running() as server, tempfile.TemporaryDirectory() as tmp:
        for i, name in enumerate(names[:-1]):
            server.replies[name] = Reply([place(i + 1, name, 34.5 + i / 20, 40.6 + i / 20)])
        src = Path(tmp) / "reports.jsonl"
        lines = (json.dumps(r, ensure_ascii=False) for r in reports(names))
        src.write_text("\n".join(lines) + "\n", encoding="utf-8")
        argv = ["places", str(src), "--geocoder", "nominatim", "--user-agent", "mapper-bench"]
        argv += ["--geocoder-option", f"domain={server.domain}", "--geocoder-option=scheme=http"]
        argv += ["--geocoder-cache", str(Path(tmp) / "cache.sqlite")]
        argv += ["--geocoder-delay", str(args.delay)]
        run_once("first run", argv)
        first = list(server.requests)
        run_once("second run", argv)
        second = server.requests[len(first) :]
    times = [r.at - first[0].at for r in first]
    print(f"\nfirst run: {len(first)} requests for {len(names)} names in {2 * len(names)} mentions")
    print("request arrival (s): " + ", ".join(f"{t:.3f}" for t in times))
    gaps = [b - a for a, b in pairwise(times)]
    if gaps:
        rate = len(gaps) / (times[-1] - times[0])
        print(f"gaps (s): min {min(gaps):.3f}, max {max(gaps):.3f}; rate {rate:.3f} requests/s")
    print(f"second run: {len(second)} requests")


if __name__ == "__main__":
    main_()
