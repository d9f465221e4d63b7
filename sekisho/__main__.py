"""`python -m sekisho` runs the CLI."""

from sekisho.cli.main import main

main()
