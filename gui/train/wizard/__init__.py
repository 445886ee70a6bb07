"""The strategy wizard: data check, measured recommendation, advanced settings."""
