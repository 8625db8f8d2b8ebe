import sys

from tco.cli import main

sys.exit(main())
