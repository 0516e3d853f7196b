"""gongwen: Chinese official documents (公文) from data. The packages, in the
order data flows: dataset, style, compute, compose, writers, build, archive;
yearly, lint and commands around them (docs/architecture.md)."""

__version__ = "0.1.0"
