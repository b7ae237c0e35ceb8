"""A till's day in a loop, for the SIGKILL test: open the drawer, sell, reprint the last
receipt, close the day (Z), again and again, printing each step once it is durable.
Run as `python -m tests.pos_terminal.crash_day_worker DATA_DIR SEED`."""

from __future__ import annotations

import random
import sys
from decimal import Decimal
from pathlib import Path

from devices.events import EventBus
from devices.print_queue import PrintQueue
from devices.printer import PrinterConfig, ReceiptPrinter
from devices.transports.tcp import TcpTransport
from pos_terminal.config import load_config
from pos_terminal.core.sale import TenderType
from pos_terminal.services import ApproverPin, TenderInput, open_services, reprint
from pos_terminal.services.till_devices import TillDevices


def main(data_dir: Path, seed: int) -> None:
    rng = random.Random(seed)
    services = open_services(load_config(data_dir=data_dir))
    bus = EventBus()
    # No printer listens on this port: jobs wait durably in the queue, as with paper out.
    printer = ReceiptPrinter("receipt", TcpTransport("127.0.0.1", 9), bus, PrinterConfig(connect_timeout=0.2))
    queue = PrintQueue(data_dir / "print_queue.sqlite3", printer, retry_min=5, retry_max=5)
    devices = TillDevices(services.config, bus, print_queue=queue)
    till, drawer = services.till, services.drawer
    till.sign_in("m1", "9999")
    while True:
        if not drawer.is_open():
            drawer.open(Decimal("100.00"))
        for _ in range(rng.randint(1, 3)):
            till.add_sku(rng.choice(("SKU00001", "SKU00002", "SKU00003", "SKU00004")))
            sale = till.pay([TenderInput(TenderType.CASH, Decimal("100.00"))])
            print("committed", sale.order_id, flush=True)
        reprint.reprint(services, devices, sale.receipt_no)
        print("reprinted", sale.receipt_no, flush=True)
        day = drawer.close_day(Decimal("100.00"), ApproverPin("m1", "9999"))
        print("z", day.report.number, flush=True)


if __name__ == "__main__":
    main(Path(sys.argv[1]), int(sys.argv[2]))
