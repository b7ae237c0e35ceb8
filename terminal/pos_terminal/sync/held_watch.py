"""Held orders resolved elsewhere: the till asks the server about the orders it holds as
conflicts, and settles those the back office resolved.

A held order can be resolved at the till (a manager's decision, sent through the outbox)
or in the back office. The server does not call tills, so the till asks: on the sync
thread, every heartbeat interval, `GET /v1/orders/{id}` for each order it holds with no
decision of its own on the way (held orders are the exception, so this is a request or
two per interval, and none at all on a till with an empty inbox). An order the server
answers `resolved` is settled here as a manager's decision is once accepted
(`store.outbox.settle_elsewhere`: its entry done, the order `resolved`), journalled as
resolved in the back office by that person, and `ResolvedElsewhere` tells the inbox and
the banner. Offline nothing changes: the order stays held until the server can be asked.

The race, a manager's decision arriving after the office's (409 `order_not_held`), ends
here too: the pump asks for the final state and settles it the same way (`decided_here`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from pos_protocol import wire
from pos_protocol.codes import OrderStatus
from pos_terminal.store import audit, outbox
from pos_terminal.store.db import Database
from pos_terminal.store.models import Order

from .client import ProblemReply, SyncClient
from .events import EventHub, ResolvedElsewhere

log = logging.getLogger(__name__)

__all__ = ["HeldWatch", "RESOLVED_ELSEWHERE"]

RESOLVED_ELSEWHERE = "conflict.resolved_elsewhere"
"""The journal's action for a held order settled because the server resolved it."""
ASKED_PER_TURN = 20
"""At most this many orders asked about per turn; the next turn goes on after the last
one asked (and starts over at the oldest when it reaches the end), so every held order
is asked about in turn however many there are."""


class HeldWatch:
    def __init__(self, db: Database, client: SyncClient, events: EventHub, clock: Callable[[], datetime]) -> None:
        self.db, self.client, self.events, self.clock = db, client, events, clock
        self._asked_up_to = 0  # outbox seq of the last order asked about

    def check_once(self, limit: int = ASKED_PER_TURN) -> list[ResolvedElsewhere]:
        """Ask about (at most `limit` of) the held orders; settle those resolved. SyncError
        when the server is away (what was settled before stays settled)."""
        with self.db.reader() as s:
            turn = outbox.held_awaiting(s, limit, self._asked_up_to)
            if not turn and self._asked_up_to:  # at the end: round again from the oldest
                turn = outbox.held_awaiting(s, limit)
        settled = []
        for seq, order_id in turn:
            try:
                status = self.client.order_status(order_id)  # Unreachable: this one again next turn
            except ProblemReply as exc:  # e.g. 404: the server lost it? Not ours to guess; ask again later
                log.warning("held order %s: the server's answer about it was %s", order_id, exc)
                self._asked_up_to = seq
                continue
            self._asked_up_to = seq
            if status.status == OrderStatus.RESOLVED:
                event = self.settle(status)
                if event is not None:
                    settled.append(event)
        return settled

    def settle(self, status: wire.OrderStatusOut, *, decided_here: bool = False,
               answer: str | None = None) -> ResolvedElsewhere | None:
        """Settle a held order the server reports resolved: one transaction for the outbox,
        the order's status and the journal entry; then tell the till. None when it was
        settled already. `answer`: what the server said to this till's own decision (kept
        on it)."""
        order_id = str(status.order_id)
        resolver = status.resolver() or wire.resolver_of("unknown")
        final = status.model_dump_json(include={"order_id", "status", "server_seq", "resolutions", "resolved_by"})
        with self.db.transaction() as s:
            decisions = outbox.settle_elsewhere(s, order_id, answer or final)
            if decisions is None:
                return None
            receipt_no = s.get_one(Order, order_id).receipt_no
            audit.append(s, at=self.clock(), actor=_actor(resolver), action=RESOLVED_ELSEWHERE, subject=order_id,
                         payload={"note": _note(resolver), "resolved_by": resolver.model_dump(mode="json"),
                                  "resolutions": [r.model_dump(mode="json") for r in status.resolutions],
                                  "decision_of_this_till": bool(decisions), "server_seq": status.server_seq})
        event = ResolvedElsewhere(order_id, receipt_no, resolver.name, resolver.in_office,
                                  decided_here=decided_here or bool(decisions))
        log.info("held order %s: %s", order_id, _note(resolver), extra={"order_id": order_id})
        self.events.emit(event)
        return event


def _actor(resolver: wire.Resolver) -> str:
    return wire.office_approver(resolver.user_id) if resolver.in_office else resolver.user_id


def _note(resolver: wire.Resolver) -> str:
    """The journal's words (English, as the rest of the journal)."""
    where = "in the back office" if resolver.in_office else "on another till"
    return f"resolved {where} by {resolver.name}"
