"""Stages 1 and 2, load and validate: a data set's YAML read with the place of
every value, checked against the data model (schema.py) and across files, with
formulas parsed (expr.py) and values still to be filled in (pending.py) named;
the model exported as JSON Schemas and docs/data-model.md."""
