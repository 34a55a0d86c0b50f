"""``python -m nnmath`` runs the same command line as ``nnmath``."""
from nnmath.cli import main

raise SystemExit(main())
