/* hubspot_sync--1.3.sql */

\echo Use "CREATE EXTENSION hubspot_sync" to load this file. \quit
