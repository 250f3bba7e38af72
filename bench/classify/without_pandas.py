"""Run a Python program as it runs in production, where pandas is not installed.

pandas is a development-only dependency here; pyarrow imports it on first use whenever it is
installed, which costs one to three seconds per process. Our programs (classify, floor) never
use it, so the benchmark hides it from them:

    python bench/classify/without_pandas.py -m giamngheo classify IN -o OUT
    python bench/classify/without_pandas.py bench/classify/floor.py IN OUT
"""

from __future__ import annotations

import runpy
import sys
from importlib.abc import MetaPathFinder
from importlib.machinery import ModuleSpec
from typing import Any


class _NoPandas(MetaPathFinder):
    def find_spec(self, name: str, path: Any = None, target: Any = None) -> ModuleSpec | None:
        if name == "pandas" or name.startswith("pandas."):
            raise ImportError("pandas is not installed in production")
        return None


def main() -> None:
    sys.meta_path.insert(0, _NoPandas())
    args = sys.argv[1:]
    if args[:1] == ["-m"]:
        sys.argv = [args[1], *args[2:]]
        runpy.run_module(args[1], run_name="__main__", alter_sys=True)
    else:
        sys.argv = args
        runpy.run_path(args[0], run_name="__main__")


if __name__ == "__main__":
    main()
