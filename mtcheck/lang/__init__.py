"""Language knowledge kept apart from the pipeline: one module per language."""
