"""Stage 5: writers render the one document model as DOCX and as PDF."""
