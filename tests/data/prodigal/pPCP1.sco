# Sequence Data: seqnum=1;seqlen=9609;seqhdr="NC_005816.1 Yersinia pestis biovar Microtus str. 91001 plasmid pPCP1, complete sequence"
# Model Data: version=Prodigal.v2.6.3;run_type=Metagenomic;model="47|Xenorhabdus_nematophila_ATCC_19061|B|44.1|11|1";gc_cont=44.20;transl_table=11;uses_sd=1
>1_87_1109_+
>2_1109_1888_+
>3_2925_3119_+
>4_4355_4780_+
>5_4815_5888_-
>6_6005_6421_+
>7_6664_7602_+
>8_7789_8088_-
>9_8088_8429_-
