"""``python -m blockcity`` is the ``blockcity`` command."""

from blockcity.cli.main import main

main()
