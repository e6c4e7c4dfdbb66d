"""Names that apps above blocs offer it by dotted path ("scoring.province:province_panel"),
imported only when used, so blocs never imports them; an app that is not there is skipped."""

from __future__ import annotations

import importlib
from collections.abc import Iterable
from typing import Any


def load_all(paths: Iterable[str]) -> list[Any]:
    """The objects named by `paths` ("module:name") whose module exists, in order."""
    found = []
    for path in paths:
        module_name, _, name = path.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as exc:
            if exc.name != module_name:
                raise
            continue
        found.append(getattr(module, name))
    return found
