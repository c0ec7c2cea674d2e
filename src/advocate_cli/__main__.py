"""Run the command line as `python -m advocate_cli`."""

from advocate_cli.cli import main

main()
