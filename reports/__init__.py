"""Reports: speed to lead, source funnel, missed-call recovery and volume, with their charts."""
