"""The spaCy pipeline components (thin: config in, backends do the work)."""
