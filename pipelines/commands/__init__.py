"""One module per command group of the `audience` command line."""
