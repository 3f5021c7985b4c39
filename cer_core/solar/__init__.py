"""The sun side: typical-year weather, PV production with pvlib, roofs and plants' production."""
