"""Money: incentives (TIP and valorisation), economics, the split among members, Shapley values."""
