"""Runs: state machine, executor, platform emulation, local scheduler, dev server, history."""
