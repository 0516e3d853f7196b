"""One build (pipeline.py: load → validate → compute → compose → write), the
side process that writes the PDF meanwhile, staging folders, batches of data
sets, and the manifest every output folder carries."""
