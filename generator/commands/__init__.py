"""The subcommands. Each module has register(commands) adding its parser, whose
`run` default takes the parsed arguments and returns the exit status."""
