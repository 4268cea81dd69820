"""CRM connectors: each new lead created once in Bitrix24 or amoCRM/Kommo, its id kept."""
