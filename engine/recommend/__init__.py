"""The strategy recommender: measuring transferability, the decision rules and the estimates."""
