"""The warm build server: `gongwen build` and `gongwen check` handed to a
process that has already imported the pipeline and WeasyPrint, which forks a
fresh copy of itself for each request (server.py); the client side, imported
first thing by the CLI, decides in a few milliseconds whether a server can take
the command and hands it over (client.py); what a server must match to serve
(fingerprint.py: the code, the interpreter, the installed distributions, the
fonts configuration)."""
