"""Website forms: POST /forms/{form_key} from any site or site builder, and a snippet."""
