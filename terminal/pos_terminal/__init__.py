"""Offline-first point-of-sale terminal."""

__version__ = "0.1.0"
