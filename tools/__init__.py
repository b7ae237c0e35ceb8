"""Developer tools that ship in no distribution: the demo shop (`make run`) and the
launcher that starts a real `pos-sync-server serve` for the demo, tests and benchmarks."""
