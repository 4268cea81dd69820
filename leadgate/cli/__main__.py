"""`python -m leadgate.cli`: the `leadgate` command (the `--workers` processes start this way)."""

import sys

from leadgate.cli.command import main

sys.exit(main())
