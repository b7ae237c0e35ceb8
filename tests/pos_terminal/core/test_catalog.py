import csv
from decimal import Decimal

import pytest

from pos_terminal.core.barcodes import BarcodeError, make_ean13, make_variable_label
from pos_terminal.config import RESOURCES
from pos_terminal.core.catalog import Catalog, Item, ItemError, Unit, UnknownItem

DEMO = RESOURCES / "demo_catalog.csv"


def item(sku: str = "S1", barcodes: tuple[str, ...] = (), **kw) -> Item:
    fields = dict(name="Thing", unit=Unit.EA, price=Decimal("1.99"), tax_code="A",
                  tax_rate=Decimal("0.19"), category="Misc")
    fields.update(kw)
    return Item(sku=sku, barcodes=barcodes, **fields)


@pytest.fixture(scope="module")
def demo() -> Catalog:
    with DEMO.open(encoding="utf-8") as fh:
        return Catalog(Item.from_row(row) for row in csv.DictReader(fh))


def test_demo_catalog_loads_and_scans(demo: Catalog) -> None:
    assert len(demo) > 300
    assert demo.by_barcode("4001234000015").item.sku == "SKU00001"
    scan = demo.by_barcode(make_variable_label("2800025", 1234))
    assert scan.item.sku == "KG00025" and scan.item.unit is Unit.KG
    assert scan.weight == Decimal("1.234")


def test_unknown_barcode_and_sku(demo: Catalog) -> None:
    code = make_ean13("999999999999")
    with pytest.raises(UnknownItem, match=f"no item for barcode {code}"):
        demo.by_barcode(code)
    with pytest.raises(UnknownItem, match="unknown SKU 'NOPE'"):
        demo.by_sku("NOPE")


def test_bad_check_digit_is_never_looked_up(demo: Catalog) -> None:
    with pytest.raises(BarcodeError, match="check digit"):
        demo.by_barcode("4001234000016")


def test_upc_a_found_under_its_ean13_form() -> None:
    cat = Catalog([item(barcodes=("036000291452",)), item("S2", barcodes=("0012345000065",))])
    assert cat.by_barcode("036000291452").item.sku == "S1"
    assert cat.by_barcode("012345000065").item.sku == "S2"  # UPC-A scan of an EAN-13 entry


def test_upsert_moves_barcodes_and_remove_drops_them() -> None:
    code_a, code_b = make_ean13("400000000001"), make_ean13("400000000002")
    cat = Catalog([item(barcodes=(code_a,))])
    cat.upsert(item(barcodes=(code_b,), price=Decimal("2.50")))
    assert len(cat) == 1
    assert cat.by_barcode(code_b).item.price == Decimal("2.50")
    with pytest.raises(UnknownItem):
        cat.by_barcode(code_a)
    cat.remove("S1")
    assert len(cat) == 0
    with pytest.raises(UnknownItem):
        cat.by_barcode(code_b)
    with pytest.raises(UnknownItem):
        cat.remove("S1")


def test_items_refuse_float_and_negative_prices() -> None:
    with pytest.raises(ItemError):
        item(price=1.99)
    with pytest.raises(ItemError):
        item(price=Decimal("-1"))
    with pytest.raises(ItemError, match="bad catalog row"):
        Item.from_row({"sku": "X", "name": "n", "barcodes": "", "unit": "ea", "price": "abc",
                       "tax_code": "A", "tax_rate": "0.19", "category": "c"})
