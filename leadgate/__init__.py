"""leadgate package."""
