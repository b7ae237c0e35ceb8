"""Files the till ships with: the default configuration (terminal.toml), the demo catalog and the
receipt logo. They are package data, read through importlib.resources (see pos_terminal.config)."""
