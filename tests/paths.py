"""Where the tests find the repository and their fixtures, wherever the test module sits."""

from __future__ import annotations

from pathlib import Path

#: the repository's root folder
ROOT = Path(__file__).resolve().parent.parent
#: files the tests read: recorded portal answers, real published records
FIXTURES = ROOT / "tests" / "fixtures"
