# hubspot_sync: PGXS build of the extension.
MODULE_big = hubspot_sync
OBJS = \
	src/settings.o \
	src/convert.o \
	src/phone.o \
	src/http_client.o \
	src/hubspot_api.o \
	src/object_types.o \
	src/sync_common.o \
	src/associations.o \
	src/sync_object.o \
	src/sync_slice.o \
	src/sync_launcher.o \
	src/scheduler.o \
	src/log_filter.o \
	src/rate_limit.o

EXTENSION = hubspot_sync
# The install script is assembled from sql/, one file per part of the schema.
DATA_built = hubspot_sync--1.0.sql
EXTRA_CLEAN = hubspot_sync--1.0.sql
PGFILEDESC = "hubspot_sync - mirror HubSpot CRM objects into PostgreSQL"

REGRESS = setup phone convert sync_contacts sync_deals sync_calls resync errors security sync_all views incremental parallel associations metrics schedule
REGRESS_OPTS = --inputdir=test --outputdir=test --encoding=UTF8

PG_CPPFLAGS = -I$(srcdir)/src -Wall -Wextra -Werror -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK = -lcurl

# No LLVM bitcode: the build then needs no clang, and JIT inlining of these
# functions buys nothing.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

hubspot_sync--1.0.sql: $(sort $(wildcard $(srcdir)/sql/*.sql))
	cat $^ > $@
