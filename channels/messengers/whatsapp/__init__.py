"""WhatsApp Business (Cloud API): webhook intake and sending replies."""
