from genoseq.cli import run

run()
