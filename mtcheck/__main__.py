"""``python -m mtcheck``: the command line, where the ``mtcheck`` script is not on the PATH."""

from .cli import main

# Guarded: a batch's worker processes start afresh and import the parent's main module again.
if __name__ == "__main__":
    raise SystemExit(main())
