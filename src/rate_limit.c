/*-------------------------------------------------------------------------
 * rate_limit.c
 *	  HubSpot's request budget, shared by every sync process.
 *
 * A private app has one budget: hubspot_sync.rate_limit requests per
 * rolling 10 seconds, and the search endpoint hubspot_sync.search_rate_limit
 * requests per second on top.  Every request first takes a slot here: the
 * send times of the last requests sit in a ring in shared memory, and a
 * request that would exceed a window waits (interruptibly) until the oldest
 * send leaves it.  So the three parallel workers, the scheduler's and any
 * session's syncs together never exceed the budget.  A 429 blocks everyone
 * for as long as HubSpot asked (only searches, when it was the search's
 * per-second limit).  The windows are a little longer than HubSpot's: a
 * request reaches HubSpot some milliseconds after it took its slot, and
 * not always the same number of them.
 *
 * HubSpot states the app's budget in every answer
 * (X-HubSpot-RateLimit-Max per X-HubSpot-RateLimit-Interval-Milliseconds):
 * when it is lower than hubspot_sync.rate_limit (a setting written for a
 * bigger plan, or a downgraded portal), the lower figure is used.
 *
 * The ring lives in shared memory when the library is preloaded (as the
 * README asks); otherwise each process keeps its own and only paces itself.
 *-------------------------------------------------------------------------
 */
#include "postgres.h"

#include <time.h>

#include "miscadmin.h"
#include "pgstat.h"
#include "storage/ipc.h"
#include "storage/latch.h"
#include "storage/lwlock.h"
#include "storage/shmem.h"
#include "storage/spin.h"
#include "utils/guc.h"
#include "utils/timestamp.h"

#include "rate_limit.h"

#define RING_SIZE 1024			/* more than any rate_limit setting */
/* HubSpot's windows, plus room for requests that arrive late. */
#define ARRIVAL_MARGIN_US (30 * 1000)
#define WINDOW_US (10 * USECS_PER_SEC + ARRIVAL_MARGIN_US)
#define SEARCH_WINDOW_US (USECS_PER_SEC + ARRIVAL_MARGIN_US)

typedef struct SendRing
{
	int			head;			/* next slot to write */
	int			count;			/* sends still in the ring */
	int64		sent[RING_SIZE];	/* monotonic_us() of each send */
} SendRing;

typedef struct RateLimitState
{
	slock_t		mutex;
	int64		blocked_until;	/* after a 429: nobody sends before */
	int64		search_blocked_until;	/* after a search's 429: no search */
	int			portal_limit;	/* HubSpot's stated budget per 10 s; 0: unknown */
	SendRing	all;
	SendRing	search;
} RateLimitState;

int			hubspot_rate_limit = 100;
int			hubspot_search_rate_limit = 4;

static RateLimitState *state = NULL;
static RateLimitState local_state;
static bool shared = false;

/*
 * Microseconds on the system's monotonic clock: the same in every process
 * (so the shared ring compares them), and never stepped back or forward by
 * a change of the wall clock, which would stall every sync or let a burst
 * through.
 */
static int64
monotonic_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64) ts.tv_sec * USECS_PER_SEC + ts.tv_nsec / 1000;
}

static shmem_request_hook_type prev_shmem_request_hook = NULL;
static shmem_startup_hook_type prev_shmem_startup_hook = NULL;

static void
rate_limit_shmem_request(void)
{
	if (prev_shmem_request_hook)
		prev_shmem_request_hook();
	RequestAddinShmemSpace(MAXALIGN(sizeof(RateLimitState)));
}

static void
rate_limit_shmem_startup(void)
{
	bool		found;

	if (prev_shmem_startup_hook)
		prev_shmem_startup_hook();

	LWLockAcquire(AddinShmemInitLock, LW_EXCLUSIVE);
	state = ShmemInitStruct("hubspot_sync rate limit", sizeof(RateLimitState), &found);
	if (!found)
	{
		memset(state, 0, sizeof(*state));
		SpinLockInit(&state->mutex);
	}
	LWLockRelease(AddinShmemInitLock);
	shared = true;
}

/* Called from _PG_init. */
void
hubspot_rate_limit_init(void)
{
	DefineCustomIntVariable("hubspot_sync.rate_limit",
							"HubSpot requests allowed per rolling 10 seconds, for all syncs together.",
							"The private app's budget: 100 (Free/Starter), 190 (Professional/Enterprise), 200 with the API add-on.",
							&hubspot_rate_limit,
							100, 1, RING_SIZE,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);
	DefineCustomIntVariable("hubspot_sync.search_rate_limit",
							"HubSpot search requests allowed per second, for all syncs together.",
							NULL,
							&hubspot_search_rate_limit,
							4, 1, RING_SIZE,
							PGC_SIGHUP,
							0,
							NULL, NULL, NULL);

	if (process_shared_preload_libraries_in_progress)
	{
		prev_shmem_request_hook = shmem_request_hook;
		shmem_request_hook = rate_limit_shmem_request;
		prev_shmem_startup_hook = shmem_startup_hook;
		shmem_startup_hook = rate_limit_shmem_startup;
	}
}

bool
hubspot_rate_limit_is_shared(void)
{
	return shared;
}

static RateLimitState *
get_state(void)
{
	if (state == NULL)
	{
		/* Not preloaded: this process paces only itself. */
		state = &local_state;
		SpinLockInit(&state->mutex);
	}
	return state;
}

/*
 * Forget sends older than the window; return how long (us) until a send is
 * allowed under limit, 0 if now.
 */
static int64
ring_wait(SendRing *ring, int64 now, int64 window, int limit)
{
	while (ring->count > 0)
	{
		int			oldest = (ring->head - ring->count + RING_SIZE) % RING_SIZE;

		if (ring->sent[oldest] + window > now)
			break;
		ring->count--;
	}
	if (ring->count < limit)
		return 0;
	/* The send that must leave the window before we may go. */
	return ring->sent[(ring->head - limit + RING_SIZE) % RING_SIZE] + window - now;
}

static void
ring_push(SendRing *ring, int64 now)
{
	ring->sent[ring->head] = now;
	ring->head = (ring->head + 1) % RING_SIZE;
	if (ring->count < RING_SIZE)
		ring->count++;
}

/*
 * HubSpot stated the app's budget: max requests per interval_ms.  Only a
 * 10-second budget is the one rate_limit counts; any other is ignored.
 */
void
hubspot_rate_limit_learn(int max, int interval_ms)
{
	RateLimitState *s = get_state();
	int			before;

	if (max <= 0 || interval_ms != 10000)
		return;
	SpinLockAcquire(&s->mutex);
	before = s->portal_limit;
	s->portal_limit = max;
	SpinLockRelease(&s->mutex);

	if (max != before && max < hubspot_rate_limit)
		ereport(LOG,
				(errmsg("hubspot_sync: HubSpot allows %d requests per 10 seconds, fewer than hubspot_sync.rate_limit (%d); using %d",
						max, hubspot_rate_limit, max)));
}

/* Wait, interruptibly, until a request may be sent; then count it. */
void
hubspot_rate_limit_acquire(bool search)
{
	RateLimitState *s = get_state();

	for (;;)
	{
		int64		now;
		int64		wait_us;

		CHECK_FOR_INTERRUPTS();
		now = monotonic_us();

		SpinLockAcquire(&s->mutex);
		if (s->blocked_until > now)
			wait_us = s->blocked_until - now;
		else if (search && s->search_blocked_until > now)
			wait_us = s->search_blocked_until - now;
		else
		{
			int			limit = hubspot_rate_limit;

			if (s->portal_limit > 0)
				limit = Min(limit, s->portal_limit);
			wait_us = ring_wait(&s->all, now, WINDOW_US, limit);
			if (search)
				wait_us = Max(wait_us, ring_wait(&s->search, now, SEARCH_WINDOW_US,
												 hubspot_search_rate_limit));
			if (wait_us == 0)
			{
				ring_push(&s->all, now);
				if (search)
					ring_push(&s->search, now);
			}
		}
		SpinLockRelease(&s->mutex);

		if (wait_us <= 0)
			return;
		(void) WaitLatch(MyLatch, WL_LATCH_SET | WL_TIMEOUT | WL_EXIT_ON_PM_DEATH,
						 Max(1, Min(wait_us / 1000, 1000)), PG_WAIT_EXTENSION);
		ResetLatch(MyLatch);
	}
}

/*
 * HubSpot said 429: nobody sends for ms, or no search when only the
 * search's per-second limit was reached.
 */
void
hubspot_rate_limit_block(int ms, bool search_only)
{
	RateLimitState *s = get_state();
	int64		until = monotonic_us() + (int64) ms * 1000;
	int64	   *blocked = search_only ? &s->search_blocked_until : &s->blocked_until;

	SpinLockAcquire(&s->mutex);
	if (until > *blocked)
		*blocked = until;
	SpinLockRelease(&s->mutex);
}
