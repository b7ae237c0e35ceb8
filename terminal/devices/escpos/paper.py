"""A readable text rendering of printed ESC/POS: what a cashier would see on the paper.

Each printed line is laid out on the column grid with its alignment; active
styles are noted in brackets to the right (`[bold 2w 2h]`). Images, QR codes,
cuts and drawer kicks appear as bracketed markers. Paper feeds are not drawn.
"""

from __future__ import annotations

from devices.escpos.parser import Command, EscPosParser

CODE_PAGES = {0: "cp437", 2: "cp850", 16: "cp1252", 19: "cp858"}
CUT_MARK = "=" * 8 + " cut " + "=" * 8


class Paper:
    def __init__(self, columns: int) -> None:
        self.columns = columns
        self.lines: list[str] = []  # the whole transcript
        self.receipts: list[str] = []  # each finished (cut) receipt
        self._current: list[str] = []
        self._text = ""
        self._reset()

    def _reset(self) -> None:
        self.encoding = "cp437"
        self.bold = self.underline = False
        self.width_x = self.height_x = 1
        self.align = 0

    @property
    def torn(self) -> str:
        """What was printed since the last cut (a receipt in progress)."""
        return "\n".join(self._current + ([self._text] if self._text else []))

    def apply(self, cmd: Command) -> None:
        handler = getattr(self, f"_on_{cmd.name}", None)
        if handler is not None:
            handler(cmd)

    # -- text and styles --------------------------------------------------
    def _on_text(self, cmd: Command) -> None:
        self._text += cmd.args.decode(self.encoding, errors="replace")

    def _on_lf(self, _cmd: Command) -> None:
        self._emit(self._text)
        self._text = ""

    def _on_init(self, _cmd: Command) -> None:
        self._reset()

    def _on_codepage(self, cmd: Command) -> None:
        self.encoding = CODE_PAGES.get(cmd.args[0], "cp437")

    def _on_print_mode(self, cmd: Command) -> None:
        n = cmd.args[0]
        self.bold = bool(n & 0x08)
        self.height_x = 2 if n & 0x10 else 1
        self.width_x = 2 if n & 0x20 else 1
        self.underline = bool(n & 0x80)

    def _on_bold(self, cmd: Command) -> None:
        self.bold = bool(cmd.args[0] & 1)

    def _on_underline(self, cmd: Command) -> None:
        self.underline = bool(cmd.args[0] & 3)

    def _on_char_size(self, cmd: Command) -> None:
        n = cmd.args[0]
        self.width_x, self.height_x = (n >> 4 & 7) + 1, (n & 7) + 1

    def _on_align(self, cmd: Command) -> None:
        self.align = cmd.args[0] % 48 if cmd.args[0] >= 48 else cmd.args[0]

    # -- markers ------------------------------------------------------------
    def _on_raster_image(self, cmd: Command) -> None:
        width = (cmd.args[1] | cmd.args[2] << 8) * 8
        height = cmd.args[3] | cmd.args[4] << 8
        self._marker(f"[image {width}x{height}]")

    def _on_qr(self, cmd: Command) -> None:
        # GS ( k cn=49 fn=80 (0x50) stores the data; fn=81 prints it
        if cmd.data[:2] == b"1P":
            self._qr_data = cmd.data[3:].decode("latin-1")
        elif cmd.data[:2] == b"1Q":
            self._marker(f"[QR {getattr(self, '_qr_data', '')}]")

    def _on_cut(self, _cmd: Command) -> None:
        if self._text:
            self._on_lf(_cmd)
        self.lines.append(CUT_MARK)
        self.receipts.append("\n".join(self._current))
        self._current = []

    def _on_drawer_kick(self, cmd: Command) -> None:
        self._marker(f"[drawer kick pin {2 if cmd.args[0] in (0, 48) else 5}]")

    # -- layout -------------------------------------------------------------
    def _marker(self, text: str) -> None:
        if self._text:
            self._on_lf(Command("lf"))
        self._emit(text, styled=False)

    def _emit(self, text: str, styled: bool = True) -> None:
        room = self.columns // (self.width_x if styled else 1)
        text = text[:room]
        if self.align == 1:
            text = text.center(room).rstrip()
        elif self.align == 2:
            text = text.rjust(room)
        marks = [m for m, on in (("bold", self.bold), ("underline", self.underline),
                                 (f"{self.width_x}w", self.width_x > 1),
                                 (f"{self.height_x}h", self.height_x > 1)) if on and styled]
        line = f"{text.ljust(room)}  [{' '.join(marks)}]" if marks else text.rstrip()
        self.lines.append(line)
        self._current.append(line)


def render_text(data: bytes, columns: int) -> str:
    """Render a whole byte stream (e.g. one receipt) to its text transcript."""
    paper = Paper(columns)
    for cmd in EscPosParser().feed(data):
        paper.apply(cmd)
    return "\n".join(paper.lines) + "\n"
