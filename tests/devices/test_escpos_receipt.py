"""Receipt layout: golden bytes and the simulator's rendering of them, code pages, bad input.

Golden files live in tests/devices/golden/. After a deliberate layout change,
regenerate them with:  POS_REGEN_GOLDEN=1 .venv/bin/pytest tests/devices/test_escpos_receipt.py
and review the .txt diff before committing.
"""

from __future__ import annotations

import os
from dataclasses import replace
from decimal import Decimal
from pathlib import Path

import pytest

from devices.escpos.paper import render_text
from devices.escpos.parser import EscPosParser
from devices.escpos.receipt import Receipt, ReceiptError, ReceiptLine, render_receipt, two_columns
from devices.simulators.printer import PrinterSimulator
from devices.printer import ReceiptPrinter

from .conftest import sample_receipt

GOLDEN = Path(__file__).parent / "golden"
REGEN = os.environ.get("POS_REGEN_GOLDEN") == "1"


def golden(name: str, actual: bytes) -> bytes:
    path = GOLDEN / name
    if REGEN:
        path.write_bytes(actual)
    if not path.exists():
        pytest.fail(f"missing golden file {path}; run with POS_REGEN_GOLDEN=1 to create it")
    return path.read_bytes()


@pytest.mark.parametrize(("width", "columns"), [(58, 32), (80, 48)])
def test_receipt_bytes_and_rendering_match_golden(width: int, columns: int) -> None:
    data = render_receipt(sample_receipt(), width)
    assert data == golden(f"receipt_{width}mm.bin", data)
    text = render_text(data, columns)
    assert text.encode() == golden(f"receipt_{width}mm.txt", text.encode())


@pytest.mark.parametrize(("width", "columns"), [(58, 32), (80, 48)])
def test_printed_through_the_simulator_matches_golden(width: int, columns: int, tmp_path: Path) -> None:
    from devices.printer import PrinterConfig
    from devices.transports.tcp import TcpTransport

    with PrinterSimulator(columns=columns) as sim:
        with ReceiptPrinter("receipt", TcpTransport("127.0.0.1", sim.port), config=PrinterConfig(width_mm=width)) as p:
            assert isinstance(p, ReceiptPrinter)
            p.print_job("golden", render_receipt(sample_receipt(), width))
        expected = (GOLDEN / f"receipt_{width}mm.txt").read_text(encoding="utf-8")
        assert sim.rendering + "\n" == expected


@pytest.mark.parametrize("width", [58, 80])
def test_lines_fit_the_paper(width: int) -> None:
    columns = {58: 32, 80: 48}[width]
    text = render_text(render_receipt(sample_receipt(), width), columns)
    for line in text.splitlines():
        printed = line.split("  [")[0]  # strip the style note
        assert len(printed) <= columns, line


def test_euro_and_accents_use_code_page_858() -> None:
    data = render_receipt(sample_receipt(), 80)
    assert data.startswith(b"\x1b@\x1bt\x13")  # init, then ESC t 19 = PC858 (PC850 + euro)
    assert "€ 16.00".encode("cp858") in data and b"\xd5 16.00" in data  # 0xD5 is the euro sign in PC858
    assert "Café crème".encode("cp858") in data and b"Caf\x82 cr\x8ame" in data
    assert "Élise".encode("utf-8") not in data  # never UTF-8 on the wire


def test_unencodable_text_prints_a_placeholder_not_a_crash() -> None:
    receipt = replace(sample_receipt(), footer=("Ωmega ✓",))
    text = render_text(render_receipt(receipt, 80), 48)
    assert "?mega ?" in text


def test_layout_pieces() -> None:
    assert two_columns("Tea", "1.00", 12) == ["Tea     1.00"]
    assert two_columns("Green tea with mint", "12.00", 16) == ["Green tea", "with mint  12.00"]
    data = render_receipt(sample_receipt(), 58)
    commands = [c.name for c in EscPosParser().feed(data)]
    assert commands[0] == "init" and commands[-1] == "cut"
    assert "raster_image" in commands and "qr" in commands and "bold" in commands


def test_bad_receipts_are_refused() -> None:
    with pytest.raises(ReceiptError, match="never float"):
        Receipt("R-1", (ReceiptLine("Tea", Decimal(1), 1.5),), Decimal("1.50"))  # type: ignore[arg-type]
    with pytest.raises(ReceiptError, match="printable"):
        Receipt("R\n1", (), Decimal("0"))
    with pytest.raises(ReceiptError, match="paper width"):
        render_receipt(sample_receipt(), 76)
