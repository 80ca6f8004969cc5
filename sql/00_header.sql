/* hubspot_sync--1.2.sql */

\echo Use "CREATE EXTENSION hubspot_sync" to load this file. \quit
