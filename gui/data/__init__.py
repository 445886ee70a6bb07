"""The Data stage: browsing, labelling and importing images."""
