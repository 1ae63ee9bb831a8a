"""A sample package whose gradients srcgrad generates and compiles at install time."""
