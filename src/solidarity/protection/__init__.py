"""Disclosure-control runs on the web: a data provider uploads a table spec and microdata, the
privacy engine protects the tables in the background, and the provider reads the report and the
audit and submits the protected tables to the data hub."""
