"""``python -m osatnet`` runs the CLI."""

from osatnet.cli import main

main()
