"""Coverage-guided fuzzing of the input readers with atheris, for a fixed number of iterations.

Each input is written as a file of one of the reader's formats (the first byte picks
``.jsonl``/``.csv``/``.html``/``.txt``) and read through :func:`mapper.readers.read_reports`,
then fed to ``-`` (stdin) as JSON Lines.  A crash is any exception escaping the reader, or a
record breaking the contract: a report whose text is blank, holds NUL or cannot be written out
as UTF-8, or an error without a message naming the file.  Crashes are counted (the run goes on)
and their inputs saved under ``--crashes``; the last line prints the figures.

Run (``make fuzz`` does)::

    python bench/fuzz_readers.py --runs 100000
"""

from __future__ import annotations

import argparse
import io
import json
import shutil
import sys
import tempfile
import time
import traceback
from pathlib import Path

try:
    import atheris
except ImportError as err:  # the [fuzz] extra
    raise ImportError("bench/fuzz_readers.py needs atheris: pip install -e '.[fuzz]'") from err

with atheris.instrument_imports():
    from mapper.models import RecordError, Report
    from mapper.readers import read_reports

ROOT = Path(__file__).resolve().parents[1]
SEEDS = [ROOT / "tests" / "data" / "readers", ROOT / "examples" / "reports"]
KINDS = (".jsonl", ".csv", ".html", ".txt")
STATE = {"iterations": 0, "crashes": 0, "records": 0, "errors": 0, "kinds": {}}


def _check(records: list, name: str) -> None:
    for r in records:
        if isinstance(r, Report):
            STATE["records"] += 1
            if not r.text.strip() or "\x00" in r.text:
                raise AssertionError(f"bad report text {r.text[:40]!r}")
            json.dumps([r.id, r.text, r.url, r.source, r.published], ensure_ascii=False).encode()
        elif isinstance(r, RecordError):
            STATE["errors"] += 1
            if r.path != name or not r.message:
                raise AssertionError(f"error without its file or message: {r!r}")
        else:
            raise AssertionError(f"reader yielded {type(r).__name__}")


def make_target(workdir: Path, crashes: Path, runs: int, done):
    def target(data: bytes) -> None:
        STATE["iterations"] += 1
        suffix = KINDS[data[0] % len(KINDS)] if data else ".txt"
        payload = data[1:]
        path = workdir / f"input{suffix}"
        try:
            path.write_bytes(payload)
            _check(list(read_reports([path])), str(path))
            _check(list(read_reports(["-"], stdin=io.BytesIO(payload))), "<stdin>")
        except Exception as err:  # a fuzz crash is counted and saved, then the run goes on
            STATE["crashes"] += 1
            frame = traceback.extract_tb(err.__traceback__)[-1]
            kind = f"{type(err).__name__} in {frame.name} ({Path(frame.filename).name})"
            STATE["kinds"][kind] = STATE["kinds"].get(kind, 0) + 1
            (crashes / f"crash-{STATE['crashes']}{suffix}").write_bytes(payload)
        if STATE["iterations"] == runs:
            done()  # libFuzzer ends the process from C, where Python's atexit never runs

    return target


def _seed_corpus(folder: Path) -> None:
    """libFuzzer starts from the readers' test files and the bundled examples."""
    for source in SEEDS:
        for path in sorted(source.rglob("*")):
            if path.is_file() and path.suffix in KINDS:
                tag = bytes([KINDS.index(path.suffix)])
                (folder / f"seed-{path.parent.name}-{path.name}").write_bytes(
                    tag + path.read_bytes()
                )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=100_000, help="iterations (default 100000)")
    parser.add_argument("--seed", type=int, default=1, help="libFuzzer seed (default 1)")
    parser.add_argument(
        "--crashes",
        default=str(Path(tempfile.gettempdir()) / "mapper-fuzz-crashes"),
        help="folder for crash inputs (default: mapper-fuzz-crashes in the temp folder)",
    )
    args = parser.parse_args()
    crashes = Path(args.crashes)
    crashes.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix="mapper-fuzz-"))
    corpus = work / "corpus"
    corpus.mkdir()
    _seed_corpus(corpus)
    started = time.process_time()

    def report() -> None:
        seconds = time.process_time() - started
        kinds = "; ".join(f"{n}x {k}" for k, n in sorted(STATE["kinds"].items())) or "none"
        print(
            f"fuzz_readers: iterations {STATE['iterations']}, crashes {STATE['crashes']}, "
            f"reports {STATE['records']}, record errors {STATE['errors']}, "
            f"CPU {seconds:.1f} s; crash kinds: {kinds}"
            + (f"; inputs in {crashes}" if STATE["crashes"] else ""),
            file=sys.stderr,
        )
        shutil.rmtree(work, ignore_errors=True)

    libfuzzer = [
        sys.argv[0],
        f"-runs={args.runs}",
        f"-seed={args.seed}",
        "-max_len=4096",
        "-print_final_stats=1",
        str(corpus),
    ]
    atheris.Setup(libfuzzer, make_target(work, crashes, args.runs, report))
    atheris.Fuzz()


if __name__ == "__main__":
    main()
