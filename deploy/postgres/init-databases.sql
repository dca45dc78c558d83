-- Runs once, on the first start of an empty data volume: one database per service.
CREATE DATABASE enrollment;
CREATE DATABASE assessment;
CREATE DATABASE funding;
CREATE DATABASE matching;
