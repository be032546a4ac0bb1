from genoseq.cli import main

main(prog_name="genoseq")
