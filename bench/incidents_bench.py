"""Incident-step benchmark: CPU milliseconds per report of ``IncidentExtractor.extract`` alone.

Mentions and the normalized text are computed first (as :class:`mapper.pipeline.Pipeline`
hands them over), so the figure is the incident step only; the end-to-end figure beside it is
:meth:`Pipeline.process` (normalize, spot, resolve, incidents) on the same reports.  CPU time
(``time.process_time``), best of ``--repeat`` passes, because the machine is shared.  Prints
figures; asserts nothing.

    .venv/bin/python bench/corpus.py -n 1000 --seed 1 -o /tmp/c1k.jsonl
    .venv/bin/python bench/incidents_bench.py /tmp/c1k.jsonl ../shared/corpus/dev.jsonl
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mapper.models import Report
from mapper.normalize import normalize
from mapper.pipeline import Pipeline


def load(path: Path) -> list[Report]:
    docs = [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]
    return [Report(d["id"], d["text"], d.get("published")) for d in docs]


def measure(pipeline: Pipeline, reports: list[Report], repeat: int) -> dict[str, float]:
    prepared = []
    for r in reports:
        nt = normalize(r.text)
        mentions = pipeline.resolver.resolve(nt, pipeline.spotter.spot(nt))
        prepared.append((r, mentions, nt))
    extractor = pipeline.extractor
    best, found = float("inf"), 0
    for _ in range(repeat):
        fresh = [(r, m, normalize(r.text)) for r, m, _ in prepared]  # no cached offsets map
        start = time.process_time()
        found = sum(len(extractor.extract(r, m, normalized=nt)) for r, m, nt in fresh)
        best = min(best, time.process_time() - start)
    chars = sum(len(r.text) for r in reports)
    whole = float("inf")
    for _ in range(repeat):
        start = time.process_time()
        for r in reports:
            pipeline.process(r)
        whole = min(whole, time.process_time() - start)
    return {
        "end_to_end_reports_per_s": len(reports) / whole,
        "reports": len(reports),
        "chars_per_report": chars / len(reports),
        "incidents_per_report": found / len(reports),
        "ms_per_report": best / len(reports) * 1000,
        "ms_per_3kb": best / (sum(len(r.text.encode()) for r in reports) / 3000) * 1000,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus", nargs="+", type=Path, help="JSON Lines reports")
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    pipeline = Pipeline()
    for path in args.corpus:
        f = measure(pipeline, load(path), args.repeat)
        print(
            f"{path.name}: {f['reports']} reports, {f['chars_per_report']:.0f} chars and "
            f"{f['incidents_per_report']:.1f} incidents each; incident step "
            f"{f['ms_per_report']:.3f} ms/report ({f['ms_per_3kb']:.3f} ms per 3 KB); "
            f"end-to-end extract {f['end_to_end_reports_per_s']:.0f} reports/s"
        )


if __name__ == "__main__":
    main()
