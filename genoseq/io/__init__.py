"""Reading and writing files: FASTA, GFF3, tracks; all writes are atomic."""
