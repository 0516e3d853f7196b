"""The subcommands. Each module has register(commands) adding its parser, whose
`run` default takes the parsed arguments and returns the exit status.

A command module imports the pipeline (generator.build.pipeline, the writers, pydantic,
Jinja2, …) inside run(), never at its top: the CLI imports every command
module to build its parser, so a top-level import would slow down every
command and `gongwen --help` (tests/test_startup.py checks this)."""
