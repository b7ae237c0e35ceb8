"""A catalog server that pages, per README "Catalog paging", as a real HTTP server on
127.0.0.1: what the till's paging tests and `bench.catalog_scale` pull from until the sync
server's own paging is merged (then they can run against both).

It implements only `GET /v1/catalog?since=V[&cursor=C][&limit=N]` (no signatures are
checked): the first page fixes the pull's target T (304 when nothing changed after V, or
on a matching If-None-Match), every page carries `version` T and `next_cursor` (null on
the last), entries of (V, T] come by SKU, `limit` counts items plus removals, the tax
rates of (V, T] come on the first page, a change made during a pull (version above T)
comes with the next pull, and an unreadable cursor is 422 `validation_failed`.
`fail_pages` answers 503 instead of the page with that number (1 is the first page of a
pull), once each, to break a pull between pages.
"""

from __future__ import annotations

import base64
import bisect
import itertools
import json
import threading
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from pos_protocol import paths, wire
from pos_protocol.codes import ErrorCode
from pos_terminal.core.catalog import Item


@dataclass
class _Entry:
    version: int
    item: wire.CatalogItem | None  # None: removed


@dataclass
class PagingCatalogServer:
    version: int = 0
    items: dict[str, _Entry] = field(default_factory=dict)
    rates: dict[str, tuple[int, Decimal]] = field(default_factory=dict)
    requests: list[dict[str, str]] = field(default_factory=list)
    fail_pages: set[int] = field(default_factory=set)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _skus: list[str] | None = None  # every SKU in order (entries are never deleted, only marked)

    # -- the head office's side -------------------------------------------------------------

    def load(self, items: list[Item] | Iterable[Item]) -> None:
        """Every item and its tax rate in one new version."""
        with self.lock:
            self.version += 1
            for item in items:
                self.rates[item.tax_code] = (self.version, item.tax_rate)
                self.items[item.sku] = _Entry(self.version, _wire(item))

    def put(self, item: Item, rate_changed: bool = False) -> None:
        with self.lock:
            self.version += 1
            if rate_changed or item.tax_code not in self.rates:
                self.rates[item.tax_code] = (self.version, item.tax_rate)
            self.items[item.sku] = _Entry(self.version, _wire(item))

    def remove(self, sku: str) -> None:
        with self.lock:
            self.version += 1
            self.items[sku] = _Entry(self.version, None)

    # -- HTTP --------------------------------------------------------------------------------

    def start(self) -> PagingCatalogServer:
        owner = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:  # noqa: N802 - http.server API
                status, body, headers = owner._answer(self.path, self.headers.get("If-None-Match"))
                self.send_response(status)
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: object) -> None:
                pass

        self._http = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._thread = threading.Thread(target=self._http.serve_forever, daemon=True, name="paging-server")
        self._thread.start()
        return self

    @property
    def url(self) -> str:
        host, port = self._http.server_address[:2]
        return f"http://{host}:{port}"

    def stop(self) -> None:
        self._http.shutdown()
        self._http.server_close()

    def _answer(self, path: str, if_none_match: str | None) -> tuple[int, bytes, dict[str, str]]:
        url = urlsplit(path)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        with self.lock:
            self.requests.append(query)
            if url.path != paths.CATALOG:
                return _problem(404, ErrorCode.NOT_FOUND, "no such path")
            try:
                since = int(query.get("since", "0"))
                limit = int(query.get("limit", str(wire.CATALOG_PAGE_DEFAULT)))
            except ValueError:
                return _problem(422, ErrorCode.VALIDATION_FAILED, "since and limit are integers")
            if not 1 <= limit <= wire.CATALOG_PAGE_MAX:
                return _problem(422, ErrorCode.VALIDATION_FAILED, f"limit must be 1..{wire.CATALOG_PAGE_MAX}")
            if "cursor" in query:
                try:
                    cursor = json.loads(base64.urlsafe_b64decode(query["cursor"]))
                    target, after, page_no = int(cursor["t"]), str(cursor["after"]), int(cursor["page"])
                    if int(cursor["since"]) != since:
                        raise ValueError("a cursor of another pull")
                except (ValueError, KeyError, TypeError):
                    return _problem(422, ErrorCode.VALIDATION_FAILED, "unreadable catalog cursor")
            else:
                target, after, page_no = self.version, "", 1
                etag = f'"fake-{target}"'
                if since >= target or (if_none_match and etag in if_none_match):
                    return 304, b"", {"ETag": etag}
            if page_no in self.fail_pages:
                self.fail_pages.discard(page_no)
                return _problem(503, "unavailable", f"page {page_no} failed on purpose")
            if self._skus is None or len(self._skus) != len(self.items):
                self._skus = sorted(self.items)
            chunk: list[tuple[str, _Entry]] = []
            more = False
            for sku in itertools.islice(self._skus, bisect.bisect_right(self._skus, after), None):
                entry = self.items[sku]
                if since < entry.version <= target:
                    if len(chunk) == limit:
                        more = True
                        break
                    chunk.append((sku, entry))
            page = wire.CatalogDelta(
                version=target,
                items=[e.item for _, e in chunk if e.item is not None],
                tax_rates=[wire.TaxRate(tax_code=c, rate=r) for c, (v, r) in sorted(self.rates.items())
                           if since < v <= target] if page_no == 1 else [],
                removed=[sku for sku, e in chunk if e.item is None],
                next_cursor=_cursor(target, chunk[-1][0], page_no + 1, since) if more else None,
            )
            return 200, page.model_dump_json().encode(), {"Content-Type": "application/json",
                                                          "ETag": f'"fake-{target}"'}


def _cursor(target: int, after: str, page: int, since: int) -> str:
    raw = json.dumps({"t": target, "after": after, "page": page, "since": since}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _problem(status: int, code: str, detail: str) -> tuple[int, bytes, dict[str, str]]:
    body = json.dumps({"type": "about:blank", "title": code, "status": status, "code": code, "detail": detail})
    return status, body.encode(), {"Content-Type": "application/problem+json"}


def _wire(item: Item) -> wire.CatalogItem:
    return wire.CatalogItem(sku=item.sku, name=item.name, barcodes=list(item.barcodes), unit=item.unit.value,
                            price=item.price, tax_code=item.tax_code, category=item.category, active=item.active,
                            colour=item.colour)
