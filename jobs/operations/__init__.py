"""Tool operations, one module per area, mirroring tools/: each function is what one tool asks a
worker to do (jobs/operation.py says what an operation is; jobs/actors.py declares their actors)."""
