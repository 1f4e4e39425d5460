"""The analysis pipeline: components that turn a Document into a Case."""
