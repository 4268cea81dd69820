"""SMS gateway webhooks (Twilio, Vonage, Plivo, Infobip, generic JSON) and auto-replies."""
