from watext.cli import run

run()
