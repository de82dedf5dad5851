"""The bottom layer: what the compiler and the runtime agree on (vmctx layout, limits, CPU features,
the compiled-module artifact). Imports nothing of jit but ``jit.errors``."""
