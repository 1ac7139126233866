"""Machine-translation backends for ``transalign_translator`` (one backend a module)."""
