"""The Train stage: the strategy wizard, runs, live plots and export."""
