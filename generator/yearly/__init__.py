"""A data set's life from year to year: a new office's first one (init), next
year's made from this year's (new-year) with its checklist, the review of
likely mistakes against last year, and the diff between two years."""
