"""Serial scales: Mettler Toledo 8217, NCI/Weigh-Tronix SCP-01 and MT-SICS.

    from devices.scales import Scale, protocol_named
    scale = Scale("scale", SerialTransport("/dev/ttyUSB0", **protocol.line_settings), protocol_named("8217"), bus)
    scale.start(); kg = scale.read_stable_weight(timeout=5.0)
"""

from devices.scales.driver import Scale
from devices.scales.mt8217 import MT8217
from devices.scales.protocol import ScaleProtocol, ScaleState
from devices.scales.reading import FrameError, ScaleError, ScaleReading, WeightNotStable
from devices.scales.scp01 import SCP01
from devices.scales.sics import SICS

PROTOCOLS: dict[str, type[ScaleProtocol]] = {"8217": MT8217, "scp01": SCP01, "sics": SICS}

# Factory line settings per protocol (baudrate, bytesize, parity, stopbits).
LINE_SETTINGS: dict[str, dict[str, object]] = {
    "8217": {"baudrate": 9600, "bytesize": 7, "parity": "E", "stopbits": 1},
    "scp01": {"baudrate": 9600, "bytesize": 7, "parity": "E", "stopbits": 1},
    "sics": {"baudrate": 9600, "bytesize": 8, "parity": "N", "stopbits": 1},
}


def protocol_named(name: str) -> ScaleProtocol:
    try:
        return PROTOCOLS[name]()
    except KeyError:
        raise ValueError(f"unknown scale protocol {name!r}; choose one of {sorted(PROTOCOLS)}") from None


__all__ = [
    "LINE_SETTINGS",
    "PROTOCOLS",
    "FrameError",
    "MT8217",
    "SCP01",
    "SICS",
    "Scale",
    "ScaleError",
    "ScaleProtocol",
    "ScaleReading",
    "ScaleState",
    "WeightNotStable",
    "protocol_named",
]
