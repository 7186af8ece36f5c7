"""Machine interfaces of the portal: the JSON API for department systems and Open311 GeoReport v2."""
