"""The local web editor (`gongwen serve`): a data set's forms, tables, prose,
preview, diff and actions in the browser.

A front end above build/, archive/ and yearly/, calling them as commands/ does:
`workspace.py` finds the data sets under the served folder and keeps every path
inside it; `forms.py` turns the JSON Schemas into form fields; `yamlsave.py`
writes edits into the YAML text (comments and layout kept, atomically, stale
pages refused); `drafts.py` validates and computes an edit before it is saved;
`preview.py` keeps the pipeline and the PDF side process warm; `security.py`
guards every request (Host, token, origin, password); `app.py` has the routes.
Pages are Jinja2 templates (autoescaped) in templates/, the script and style
sheet in static/: everything ships in the package, nothing from the network.
"""
