"""The frozen attrs classes endpoints return, one module per API area: data only."""
