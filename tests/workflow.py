"""Where the translate-train workflow lies, for the tests that run its scripts (one definition for all files)."""
from pathlib import Path

PROJECT = Path(__file__).resolve().parents[1] / "projects" / "translate_train"
SCRIPTS = PROJECT / "scripts"
