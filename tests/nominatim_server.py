"""A local HTTP server that answers like Nominatim's ``/search`` JSON API, for tests and bench.

It runs on 127.0.0.1 in a thread and records every request (arrival time, query string,
User-Agent) so a test can count requests and measure their spacing on the server's side.
Answers are set per query: a list of places (JSON like Nominatim's jsonv2), an HTTP status,
a raw body, or a delay longer than the client's time-out.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from itertools import pairwise
from typing import Any
from urllib.parse import parse_qs, urlsplit


@dataclass
class Reply:
    """What the server sends for one query."""

    places: list[dict[str, Any]] = field(default_factory=list)
    status: int = 200
    body: str | None = None  # sent as is instead of the places (a malformed answer)
    delay: float = 0.0


@dataclass
class Request:
    at: float  # time.monotonic() on arrival
    query: str
    params: dict[str, str]
    user_agent: str


def place(
    osm_id: int,
    name: str,
    lat: float,
    lon: float,
    *,
    kind: str = "village",
    name_en: str = "",
    country: str = "sy",
) -> dict[str, Any]:
    """One answer as Nominatim's jsonv2 writes it (coordinates are strings there too)."""
    category = "boundary" if kind in ("state", "county") else "place"
    return {
        "place_id": 100000 + osm_id,
        "osm_type": "node",
        "osm_id": osm_id,
        "lat": f"{lat:.7f}",
        "lon": f"{lon:.7f}",
        "display_name": f"{name}, {'سوريا' if country == 'sy' else 'العراق'}",
        "class": category,
        "category": category,
        "type": "administrative" if category == "boundary" else kind,
        "addresstype": kind,
        "importance": 0.3,
        "namedetails": {"name": name, "name:ar": name, **({"name:en": name_en} if name_en else {})},
        "address": {"country_code": country},
    }


class NominatimServer:
    """``replies`` maps a query to its :class:`Reply`; unknown queries find nothing."""

    def __init__(self) -> None:
        self.replies: dict[str, Reply] = {}
        self.requests: list[Request] = []
        self._lock = threading.Lock()
        self._httpd = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._httpd.daemon_threads = True
        self._thread = threading.Thread(target=self._httpd.serve_forever, daemon=True)

    @property
    def domain(self) -> str:
        host, port = self._httpd.server_address[:2]
        return f"{host}:{port}"

    def queries(self) -> list[str]:
        with self._lock:
            return [r.query for r in self.requests]

    def gaps(self) -> list[float]:
        """Seconds between consecutive request arrivals."""
        with self._lock:
            times = [r.at for r in self.requests]
        return [b - a for a, b in pairwise(times)]

    def start(self) -> NominatimServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._httpd.shutdown()
        self._httpd.server_close()
        self._thread.join()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                url = urlsplit(self.path)
                params = {k: v[0] for k, v in parse_qs(url.query).items()}
                query = params.get("q", "")
                with server._lock:
                    server.requests.append(
                        Request(time.monotonic(), query, params, self.headers["User-Agent"])
                    )
                reply = server.replies.get(query, Reply())
                if url.path != "/search":
                    reply = Reply(status=404, body="not found")
                if reply.delay:
                    time.sleep(reply.delay)
                body = reply.body if reply.body is not None else json.dumps(reply.places)
                data = body.encode("utf-8")
                try:
                    self.send_response(reply.status)
                    self.send_header("Content-Type", "application/json; charset=utf-8")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client timed out and hung up: that is the point of a delay

            def log_message(self, format: str, *args: Any) -> None:
                del format, args  # requests are recorded in server.requests instead

        return Handler


@contextmanager
def running() -> Iterator[NominatimServer]:
    server = NominatimServer().start()
    try:
        yield server
    finally:
        server.stop()
