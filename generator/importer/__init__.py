"""What offices already have, read into a data set: last year's notice as a
Word file (gongwen import) and tables from spreadsheets (gongwen table import
and export)."""
