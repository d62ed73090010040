#!/usr/bin/env python3
"""Benchmark mighub against Alembic: ``python bench/run.py [--quick] [--only S2]``.

See bench/README.md for the scenarios, the method and the latest results.
"""

import sys

from mighub_bench.main import main

if __name__ == "__main__":
    sys.exit(main())
