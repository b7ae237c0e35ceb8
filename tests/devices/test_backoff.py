"""The one backoff (devices.backoff): the device manager, the print queue and the till's
outbox pump all pace their retries with it."""

from __future__ import annotations

import random
from pathlib import Path

from devices.backoff import Backoff
from devices.config import DevicesConfig, ManagerSettings
from devices.manager import DeviceManager


def test_the_ceiling_doubles_from_base_and_is_capped() -> None:
    backoff = Backoff(base_s=0.5, cap_s=8.0)
    assert [backoff.ceiling(n) for n in (0, 1, 3, 4, 20, 10_000)] == [0.5, 1.0, 4.0, 8.0, 8.0, 8.0]


def test_full_jitter_draws_anywhere_from_zero_to_the_ceiling() -> None:
    backoff, rng = Backoff(base_s=0.5, cap_s=8.0), random.Random(7)
    delays = [backoff.delay(3, rng) for _ in range(2000)]
    assert all(0 <= d <= 4.0 for d in delays)
    assert min(delays) < 0.4 and max(delays) > 3.6  # the whole range, not [ceiling/2, ceiling]


def test_the_draw_may_be_a_function() -> None:
    assert Backoff(base_s=10, cap_s=1000).delay(1, lambda: 0.25) == 5.0
    assert Backoff(base_s=10, cap_s=1000).delay(0, lambda: 0.0) == 0.0


def test_the_device_manager_reconnects_with_it(tmp_path: Path) -> None:
    config = DevicesConfig(manager=ManagerSettings(backoff_initial=0.25, backoff_max=4.0))
    assert DeviceManager(config, state_dir=tmp_path).backoff == Backoff(base_s=0.25, cap_s=4.0)
