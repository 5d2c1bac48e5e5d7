"""Essay batches: essays sent in batches and moved through a processing pipeline by workers."""
