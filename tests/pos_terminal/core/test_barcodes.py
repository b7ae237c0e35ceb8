from decimal import Decimal

import pytest
from hypothesis import given, settings, strategies as st

from pos_terminal.core.barcodes import (
    BarcodeError, Symbology, VariableMeasureLayout, gs1_check_digit, make_ean13,
    make_variable_label, parse_barcode, price_verifier_digit,
)


def test_known_codes_validate() -> None:
    assert parse_barcode("4006381333931").symbology is Symbology.EAN13  # a real EAN-13
    assert parse_barcode("96385074").key == "96385074"  # EAN-8 from the GS1 examples
    upc = parse_barcode("036000291452")  # UPC-A
    assert upc.symbology is Symbology.UPCA and upc.key == "0036000291452"


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("4006381333932", "bad check digit"),
        ("96385075", "bad check digit"),
        ("036000291453", "bad check digit"),
        ("40063813339", "has 11 digits"),
        ("40063813339A1", "non-digit"),
        ("", "empty"),
        ("４００６３８１３３３９３１", "non-digit"),  # full-width digits are not scanner output
    ],
)
def test_bad_codes_are_clear_errors(code: str, message: str) -> None:
    with pytest.raises(BarcodeError, match=message):
        parse_barcode(code)


def test_weight_label_from_the_task_example() -> None:
    label = "2800025" + "01234"
    label += str(gs1_check_digit(label))
    parsed = parse_barcode(label)
    assert parsed.key == "2800025"
    assert parsed.symbology is Symbology.VARIABLE_WEIGHT
    assert parsed.weight == Decimal("1.234") and parsed.price is None


def test_price_label_default_layout() -> None:
    parsed = parse_barcode(make_variable_label("2212345", 1999))
    assert parsed.symbology is Symbology.VARIABLE_PRICE
    assert parsed.key == "2212345" and parsed.price == Decimal("19.99")


def test_prefix_20_is_an_ordinary_code_by_default() -> None:
    code = make_ean13("200000000001")
    assert parse_barcode(code).key == code


def test_layout_with_price_verifier_digit() -> None:
    layout = VariableMeasureLayout(
        price_prefixes=frozenset({"20"}), weight_prefixes=frozenset(), value_length=4,
        price_check_digit=True,
    )
    label = make_variable_label("2012345", 2875, layout)
    assert label[7] == "9"  # GS1 General Specifications worked example for 2875
    assert parse_barcode(label, layout).price == Decimal("28.75")
    tampered = label[:7] + "0" + label[8:12]
    tampered += str(gs1_check_digit(tampered))
    with pytest.raises(BarcodeError, match="price verifier"):
        parse_barcode(tampered, layout)


def test_zero_weight_label_is_refused() -> None:
    with pytest.raises(BarcodeError, match="zero weight"):
        parse_barcode(make_variable_label("2800001", 0))


@pytest.mark.parametrize(
    "kwargs",
    [
        {"item_ref_length": 4},  # does not fill 13 digits
        {"price_prefixes": frozenset({"21"}), "weight_prefixes": frozenset({"21"})},
        {"price_prefixes": frozenset({"31"})},
        {"value_length": 5, "item_ref_length": 4, "price_check_digit": True},
    ],
)
def test_inconsistent_layouts_are_refused(kwargs: dict) -> None:
    with pytest.raises(ValueError):
        VariableMeasureLayout(**kwargs)


def test_verifier_digit_table() -> None:
    assert price_verifier_digit("2875") == 9


@settings(max_examples=200)
@given(st.text(alphabet="0123456789", min_size=12, max_size=12), st.integers(0, 12), st.integers(1, 9))
def test_any_single_digit_error_is_caught(body: str, pos: int, delta: int) -> None:
    code = make_ean13(body)
    wrong = code[:pos] + str((int(code[pos]) + delta) % 10) + code[pos + 1 :]
    with pytest.raises(BarcodeError):
        parse_barcode(wrong, VariableMeasureLayout(price_prefixes=frozenset(), weight_prefixes=frozenset()))
