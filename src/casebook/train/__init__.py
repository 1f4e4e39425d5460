"""Training the models casebook ships (reproducible from the shared datasets)."""
