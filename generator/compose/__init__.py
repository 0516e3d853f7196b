"""Stage 4, compose: the prose templates rendered and the document model built
(document.py), then checked for characters the fonts cannot print (glyphs.py)."""
