"""`python -m roi_tracker.cli`."""

from roi_tracker.cli import main

main()
