"""``python -m evals.bench`` (what ``make bench`` runs)."""

import sys

from evals.bench.cli import main

sys.exit(main())
