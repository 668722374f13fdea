"""``python -m companion``."""

from companion.cli.entry import main

raise SystemExit(main())
