from __future__ import annotations

import hashlib
import json
from decimal import Decimal

import pytest
from pydantic import ValidationError

from pos_protocol.tax import TaxMode
from pos_protocol.wire import (CatalogCategory, CatalogDelta, CatalogItem, CategorySet, Order, arithmetic_errors,
                               canonical_json, content_hash, sealed_order)

from .factories import make_order


def _body(**changes) -> dict:
    body = make_order().model_dump(mode="json")
    body.update(changes)
    return body


def test_decimals_round_trip_as_strings() -> None:
    order = make_order(lines=[("A", "0.256", "12.50", "0.07")])
    dumped = order.model_dump(mode="json")
    assert dumped["lines"][0]["qty"] == "0.256"
    assert dumped["lines"][0]["unit_price"] == "12.50"
    assert order.lines[0].unit_price == Decimal("12.50")


@pytest.mark.parametrize("bad", [12.5, 12, "NaN", "Infinity", "1e3", "12,50", "abc", "", None, True, "-1.00", "\u0661\u0662", " 1.00"])
def test_malformed_money_is_refused(bad) -> None:
    body = _body()
    body["lines"][0]["unit_price"] = bad
    with pytest.raises(ValidationError):
        Order.model_validate(body)


def test_weight_carries_at_most_three_decimals_and_pieces_are_whole() -> None:
    body = _body()
    body["lines"][0]["qty"] = "0.2565"
    with pytest.raises(ValidationError):
        Order.model_validate(body)
    body["lines"][0]["qty"] = "1.5"
    body["lines"][0]["unit"] = "ea"
    with pytest.raises(ValidationError, match="whole number"):
        Order.model_validate(body)


def test_only_cash_rounding_tender_may_be_negative() -> None:
    body = _body()
    body["tenders"] = [{"type": "cash", "amount": "-0.02", "reference": None}]
    with pytest.raises(ValidationError, match="positive"):
        Order.model_validate(body)
    body["tenders"] = [
        {"type": "cash", "amount": "2.25", "reference": None},
        {"type": "other", "amount": "-0.05", "reference": "cash_rounding"},
    ]
    order = Order.model_validate(body)
    assert arithmetic_errors(order, TaxMode.INCLUSIVE, 2) == []


def test_blind_return_has_no_original_but_a_sale_never_has_one() -> None:
    assert Order.model_validate(_body(kind="return")).original_order_id is None
    with pytest.raises(ValidationError, match="original_order_id"):
        Order.model_validate(_body(original_order_id="8e03a1b2-0000-4000-8000-000000000001"))


def test_content_hash_ignores_ids_and_times_but_not_content() -> None:
    a = make_order()
    b = a.model_copy(update={"order_id": make_order().order_id, "receipt_no": "other"})
    assert content_hash(a) == content_hash(b) == a.content_hash
    assert content_hash(a.model_dump(mode="json")) == a.content_hash
    c = make_order(lines=[("SKU1", "3", "1.10", "0.19")])
    assert content_hash(c) != a.content_hash


def test_approved_by_is_hashed_only_when_set() -> None:
    """Bodies frozen in a till's outbox before approved_by existed keep their hash."""
    order = make_order(kind="return")
    before = order.model_dump(mode="json", exclude={"order_id", "receipt_no", "created_at", "content_hash", "approved_by"})
    assert order.content_hash == hashlib.sha256(canonical_json(before)).hexdigest()
    approved = make_order(kind="return", approved_by="m1")
    assert content_hash(approved) == approved.content_hash
    assert content_hash(approved.model_copy(update={"approved_by": None})) != approved.content_hash


def test_only_a_return_names_its_refund_approver() -> None:
    assert Order.model_validate(_body(kind="return", approved_by="m1")).approved_by == "m1"
    with pytest.raises(ValidationError, match="approved_by"):
        Order.model_validate(_body(approved_by="m1"))


def test_canonical_json_is_sorted_and_compact() -> None:
    assert canonical_json({"b": Decimal("1.50"), "a": [1, "é"]}) == '{"a":[1,"é"],"b":"1.50"}'.encode()


def test_arithmetic_errors_name_what_does_not_add_up() -> None:
    body = _body()
    body["totals"]["gross"] = "9.99"
    errors = arithmetic_errors(Order.model_validate(body), TaxMode.INCLUSIVE, 2)
    assert any("totals.gross" in e for e in errors)
    body = _body()
    body["tenders"][0]["amount"] = "1.00"
    errors = arithmetic_errors(Order.model_validate(body), TaxMode.INCLUSIVE, 2)
    assert any("tenders" in e for e in errors)
    body = _body()
    body["lines"][0]["unit_price"] = "1.105"
    errors = arithmetic_errors(Order.model_validate(body), TaxMode.INCLUSIVE, 2)
    assert any("more than 2 decimals" in e for e in errors)


def test_exclusive_tax_adds_on_top() -> None:
    order = make_order(mode=TaxMode.EXCLUSIVE, lines=[("A", "1", "10.00", "0.08")])
    assert order.totals.gross == Decimal("10.80")
    assert arithmetic_errors(order, TaxMode.EXCLUSIVE, 2) == []
    assert arithmetic_errors(order, TaxMode.INCLUSIVE, 2) != []


def test_sealed_order_computes_the_hash() -> None:
    fields = make_order().model_dump(mode="json")
    del fields["content_hash"]
    order = sealed_order(fields)
    assert order.content_hash == content_hash(order)


# -- colours (docs/notes/colours.md) -------------------------------------------------------------

OLD_ITEM = {"sku": "B1", "name": "Rye", "barcodes": [], "unit": "ea", "price": "2.10", "tax_code": "B",
            "category": "Bakery", "active": True}


def test_a_colour_is_six_hex_digits_kept_in_upper_case() -> None:
    assert CategorySet(name="Bakery", colour="#ffe0b2").colour == "#FFE0B2"
    assert CatalogItem.model_validate({**OLD_ITEM, "colour": "#a5d6a7"}).colour == "#A5D6A7"
    for bad in ("#fff", "ffe0b2", "#ffe0b2\n", "#ffe0bz", "rgb(1,2,3)", "", 0xFFE0B2, ["#FFE0B2"]):
        with pytest.raises(ValidationError, match=r"colour must be #RRGGBB"):
            CategorySet(name="Bakery", colour=bad)
    with pytest.raises(ValidationError, match="position"):
        CategorySet(name="Bakery", position=-1)


def test_deltas_of_either_shape_validate_and_unset_additions_stay_out_of_the_json() -> None:
    old = CatalogDelta.model_validate({"version": 3, "items": [OLD_ITEM], "tax_rates": [], "removed": []})
    assert old.categories == [] and old.items[0].colour is None
    assert json.loads(old.model_dump_json()) == {"version": 3, "items": [OLD_ITEM], "tax_rates": [], "removed": [],
                                                 "next_cursor": None}
    # A newer server's fields the till does not know yet are ignored, as for every response.
    newer = CatalogDelta.model_validate({"version": 4, "items": [{**OLD_ITEM, "colour": "#1565C0", "image": "x"}],
                                         "tax_rates": [], "removed": [],
                                         "categories": [{"name": "Bakery", "colour": None, "position": 2, "icon": "b"}]})
    assert newer.items[0].colour == "#1565C0"
    assert newer.categories == [CatalogCategory(name="Bakery", position=2)]
    assert json.loads(newer.model_dump_json())["categories"] == [{"name": "Bakery", "colour": None, "position": 2}]
