"""Instagram messaging (Direct): webhook intake and sending replies."""
