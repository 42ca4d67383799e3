"""The installed version of baton."""

__version__ = "0.1.0"
