"""Pure domain: money, catalog, tickets, tax, tenders, returns, permissions, reports.

No Qt, no SQLAlchemy, no HTTP, no I/O. Everything here is deterministic and
property-tested; the store, sync and UI layers build on it.

Where things are:
- money.py, tax.py       the one rounding rule; per-rate tax and ticket totals
- barcodes.py            EAN-13/EAN-8/UPC-A check digits, GS1 scale labels (store layout)
- catalog.py             Item, Unit, ScanResult, the CatalogLookup contract, an in-memory Catalog
- ticket.py              the open ticket: lines, discounts, overrides, voids, finish()
- allocation.py          largest-remainder split of a ticket discount onto lines
- tenders.py             TenderSet: split tender, change, cash rounding
- sale.py                FinishedSale and its lines/tenders (what is stored and sent)
- returns.py             receipt returns (pro rata, never more than sold), blind returns
- permissions.py         roles and permissions
- users.py, override.py  PIN hashing (scrypt), lockout, approve()
- drawer.py, reports.py  drawer sessions (expected vs counted), X and Z reports
"""
