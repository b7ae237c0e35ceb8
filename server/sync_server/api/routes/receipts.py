"""Receipt lookup for returns across tills (signed; only the caller's store is searched)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path

from pos_protocol import paths
from pos_protocol.codes import ErrorCode
from pos_protocol.wire import ReceiptOut

from ...db.session import read_connection
from ...services import receipts
from ..deps import EngineDep, TerminalDep
from ..openapi import SIGNED, problems

router = APIRouter(tags=["returns"])


@router.get(paths.RECEIPT, response_model=ReceiptOut,
            responses=problems(*SIGNED, ErrorCode.RECEIPT_NOT_FOUND, ErrorCode.VALIDATION_FAILED,
                               ErrorCode.DATABASE_UNAVAILABLE))
def get_receipt(caller: TerminalDep, engine: EngineDep,
                receipt_no: Annotated[str, Path(min_length=1, max_length=64)]) -> ReceiptOut:
    """The sale with this receipt number in the caller's store, as the server holds it, with
    every return made against it on any till; 404 receipt_not_found otherwise."""
    with read_connection(engine) as conn:
        return receipts.find_sale(conn, caller.store_id, receipt_no)
