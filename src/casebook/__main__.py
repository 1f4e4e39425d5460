"""``python -m casebook``, and the file ``spark-submit`` runs: the ``casebook`` command."""

from casebook.cli import app

app(prog_name="casebook")
