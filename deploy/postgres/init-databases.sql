-- Runs once, on the first start of an empty data volume: one database per service, and the gateway's.
CREATE DATABASE enrollment;
CREATE DATABASE assessment;
CREATE DATABASE funding;
CREATE DATABASE matching;
CREATE DATABASE gateway;
