-- HAPI FHIR gets a database of its own next to the service's.
CREATE USER hapi WITH PASSWORD 'hapi-local-only';
CREATE DATABASE hapi OWNER hapi;
