#!/bin/sh
# Run once by the postgres image when it creates the primary's data directory
# (/docker-entrypoint-initdb.d): let the platform user stream to the replica from the compose
# network (docs/deployment.md, "Making a replica with pg_basebackup -R").
set -e
echo "host replication $POSTGRES_USER all scram-sha-256" >> "$PGDATA/pg_hba.conf"
