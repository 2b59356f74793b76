import sys

from embedrag.cli.app import main

sys.exit(main())
