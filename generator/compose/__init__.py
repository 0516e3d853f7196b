"""Stage 4, compose: render the prose templates and build the document model."""

from generator.compose.document import compose

__all__ = ["compose"]
