"""gongwen publish and verify: published versions kept for good, with the data
set and the shared templates they were built from."""
