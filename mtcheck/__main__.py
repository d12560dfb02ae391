"""``python -m mtcheck``: the command line, where the ``mtcheck`` script is not on the PATH."""

from .cli import main

raise SystemExit(main())
