"""The installed version of baton, from the package metadata (the git tag it was built from)."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("baton-review")
except PackageNotFoundError:  # run from a source tree that was never installed
    __version__ = "0+unknown"
