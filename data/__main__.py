"""`python -m data DIR --customers N [--seed S] [--format csv|parquet]`: write a sample workspace's inputs."""

from data.generator import main

main()
