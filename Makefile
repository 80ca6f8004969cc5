# hubspot_sync: PGXS build of the extension.
MODULE_big = hubspot_sync
OBJS = \
	src/settings.o \
	src/convert.o \
	src/phone.o \
	src/http_client.o \
	src/hubspot_api.o \
	src/object_types.o \
	src/custom_objects.o \
	src/sync_common.o \
	src/associations.o \
	src/sync_object.o \
	src/sync_slice.o \
	src/sync_reference.o \
	src/sync_launcher.o \
	src/scheduler.o \
	src/log_filter.o \
	src/rate_limit.o

EXTENSION = hubspot_sync
# The current version's install script is assembled from sql/, one file per
# part of the schema.  Released versions' install scripts are frozen copies,
# and each release adds an upgrade script from the one before (never edit
# either once released: databases in the wild were made by them).
EXTVERSION = 1.3
DATA_built = hubspot_sync--$(EXTVERSION).sql
DATA = hubspot_sync--1.0.sql hubspot_sync--1.0--1.1.sql hubspot_sync--1.1.sql hubspot_sync--1.1--1.2.sql \
	hubspot_sync--1.2.sql hubspot_sync--1.2--1.3.sql
EXTRA_CLEAN = hubspot_sync--$(EXTVERSION).sql
PGFILEDESC = "hubspot_sync - mirror HubSpot CRM objects into PostgreSQL"

REGRESS = setup phone convert sync_contacts sync_deals sync_calls resync errors bad_answers security hostile_owner sync_all views incremental parallel associations metrics metrics_pipelines metrics_phone sessions schedule pipelines_owners objects
REGRESS_OPTS = --inputdir=test --outputdir=test --encoding=UTF8

# -Werror only where asked (CI and scripts/test.sh pass WERROR=-Werror): a
# user's newer compiler may warn where ours does not.
WERROR ?=
PG_CPPFLAGS = -I$(srcdir)/src -DHUBSPOT_SYNC_VERSION='"$(EXTVERSION)"' -Wall -Wextra $(WERROR) -Wno-unused-parameter -Wno-missing-field-initializers -Wno-sign-compare
SHLIB_LINK = -lcurl

# No LLVM bitcode: the build then needs no clang, and JIT inlining of these
# functions buys nothing.
override with_llvm = no

PG_CONFIG ?= pg_config
PGXS := $(shell $(PG_CONFIG) --pgxs)
include $(PGXS)

hubspot_sync--$(EXTVERSION).sql: $(sort $(wildcard $(srcdir)/sql/*.sql))
	cat $^ > $@
