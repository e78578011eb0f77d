"""Prefect flows and the command line that wire the audience and consent libraries together."""
