"""`python -m kerasgan.cli ...` runs the `kerasgan` command."""

import sys

from kerasgan_cli import main

sys.exit(main())
