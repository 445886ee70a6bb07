""""None of my classes": scoring how far an image lies from everything the model was trained on."""
