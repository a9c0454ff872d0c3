"""The frozen app's entry point: `tagger ...` runs the CLI; plain `tagger` opens the window.

freeze_support() comes first: the scan pipeline and the demo corpus use spawn-start process
pools, and in a frozen app a spawned child re-runs this executable, which must then become that
worker instead of parsing a command line. A copy of this executable whose name ends in `-gui`
(the windowed tagger-gui.exe on Windows, built without a console) always opens the window.
"""

import multiprocessing
import sys
from pathlib import Path

if __name__ == "__main__":
    multiprocessing.freeze_support()

    from tagger.cli import main

    argv = sys.argv[1:]
    if Path(sys.executable).stem.endswith("-gui"):
        argv = ["gui", *argv]
    sys.exit(main(argv))
