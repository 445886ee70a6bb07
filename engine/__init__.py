"""Transfer Studio engine: data, backbones, strategies, training, export, prediction (no Qt)."""
