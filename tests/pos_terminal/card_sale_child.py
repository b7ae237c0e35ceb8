"""A till process for the card-sale crash tests (tests/pos_terminal/test_card_crash.py).

    python tests/pos_terminal/card_sale_child.py DATA_DIR ZVT_PORT sale STEP
        rings up one bread and pays it by card; at STEP it prints "AT STEP" and waits,
        so the test can SIGKILL it exactly there:
        created | sent (the terminal waits for the card) | answered (the terminal approved,
        the till has the answer, nothing written yet) | approved (written, sale not yet
        committed) | committed
    python tests/pos_terminal/card_sale_child.py DATA_DIR ZVT_PORT recover
        a restarted till: settles what the crash left and prints one JSON line.

The pauses wrap the real service methods from outside; the service code is unchanged.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from devices.payment import PaymentTerminal, PaymentTerminalConfig
from devices.payment.link import ApduLink
from devices.transports.tcp import TcpTransport
from pos_terminal.config import load_config
from pos_terminal.services import open_services
from pos_terminal.services.card_payments import CardPayments

BREAD = "4001234000015"


def pause(step: str) -> None:
    print(f"AT {step}", flush=True)
    sys.stdin.readline()  # the test kills us here
    raise SystemExit(f"not killed at {step}")


def around(cls: type, name: str, step: str, before: bool) -> None:
    original = getattr(cls, name)

    def wrapped(self, *args, **kwargs):
        if before:
            pause(step)
        result = original(self, *args, **kwargs)
        if not before:
            pause(step)
        return result

    setattr(cls, name, wrapped)


def main(data_dir: str, port: str, mode: str, step: str = "") -> int:
    services = open_services(load_config(data_dir=Path(data_dir)))
    terminal = PaymentTerminal("card", ApduLink(TcpTransport("127.0.0.1", int(port))),
                               config=PaymentTerminalConfig(connect_timeout=2, ack_timeout=2, reply_timeout=30))
    terminal.start()
    cards = CardPayments(services.db, services.config.terminal_id, terminal, services.till.clock)
    if mode == "recover":
        settled = cards.recover()
        print(json.dumps([[o.kind.value, o.state.value] for o in settled]), flush=True)
        return 0
    if step == "created":
        around(CardPayments, "_create", step, before=False)
    elif step == "answered":
        around(CardPayments, "_settle", step, before=True)
    elif step == "approved":
        around(CardPayments, "_settle", step, before=False)
    elif step == "sent":
        print("AT sent", flush=True)  # the terminal will wait for a card that never comes
    services.till.sign_in("c1", "1111")
    services.till.scan(BREAD)
    outcome = cards.pay(services.till.ticket.totals().gross)
    services.till.pay([outcome.tender()])
    if step == "committed":
        pause(step)
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:]))
