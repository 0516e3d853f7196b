"""Stage 5: writers render the one document model as DOCX (docx.py) and as PDF
(pdf.py, through html.py and css.py)."""
