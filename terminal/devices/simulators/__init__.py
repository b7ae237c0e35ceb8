"""Device simulators: real programs speaking the real byte protocols (TCP or pty)."""
