"""``python -m nnmath`` runs the same command line as ``nnmath``."""
from .cli import main

raise SystemExit(main())
