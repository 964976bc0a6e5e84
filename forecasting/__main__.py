"""``python -m forecasting ...``: the operations command line."""

import sys

from forecasting.cli import main

if __name__ == "__main__":
    sys.exit(main())
