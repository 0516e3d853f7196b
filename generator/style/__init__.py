"""The style profile (templates/style.yaml) and what composing and both
writers derive from it: the layout arithmetic of the GB/T 9704 grid and the
fonts behind each face."""
