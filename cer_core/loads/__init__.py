"""Members' hourly loads: the value type, bills, standard profiles and the scenario adapter."""
