"""``python -m benchmarks.synth``: see :mod:`benchmarks.synth.cli`."""

from benchmarks.synth.cli import main

main()
