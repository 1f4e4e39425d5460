"""casebook past one machine: the analysis pipeline as an Apache Spark job (the spark extra)."""
