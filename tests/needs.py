"""Skip markers for tests that need an engine installed on the machine (one definition for all files)."""
import shutil

import pytest

needs_apertium = pytest.mark.skipif(shutil.which("apertium") is None, reason="apertium not installed (apt-get install apertium apertium-eng-spa)")
