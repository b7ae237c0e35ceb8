"""`python -m devices ...` is `pos-devices ...`."""

from devices.cli import main

raise SystemExit(main())
