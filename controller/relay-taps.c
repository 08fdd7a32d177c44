#include <config.h>
#include "controller/relay-taps.h"

#include <string.h>

#include "controller/switch-db.h"
#include "controller/relay.h"
#include "controller/tunnels.h"
#include "controller/vif.h"
#include "openvswitch/poll-loop.h"
#include "openvswitch/shash.h"
#include "openvswitch/vlog.h"
#include "sset.h"
#include "timeval.h"
#include "util.h"

VLOG_DEFINE_THIS_MODULE(relay_taps);

#define SWEEP_MS (30 * 1000)
#define CHECK_MS 2000

struct relay_taps {
    char *switch_name;
    long long int sweep_at;     /* Next look for taps to delete. */
    struct shash unwanted;      /* Tap name -> since when unwanted. */
    bool swept;                 /* The last sweep left none to delete. */
    long long int check_at;     /* Next look for taps gone. */
    struct sset unplugged;      /* Taps gone, whose ports must go. */
};

struct relay_taps *
relay_taps_create(const char *switch_name)
{
    struct relay_taps *t = xzalloc(sizeof *t);
    t->switch_name = xstrdup(switch_name);
    shash_init(&t->unwanted);
    sset_init(&t->unplugged);
    return t;
}

void
relay_taps_destroy(struct relay_taps *t)
{
    if (t) {
        shash_destroy_free_data(&t->unwanted);
        sset_destroy(&t->unplugged);
        free(t->switch_name);
        free(t);
    }
}

void
relay_taps_sweep_soon(struct relay_taps *t)
{
    t->sweep_at = 0;
    t->swept = false;
}

bool
relay_taps_swept(const struct relay_taps *t)
{
    return t->swept;
}

/* The port of ours named 'name', or NULL. */
static const struct switch_db_binding *
find_port(const struct switch_db_binding *bindings, size_t n,
          const char *name)
{
    for (size_t i = 0; i < n; i++) {
        if (bindings[i].ours && !strcmp(bindings[i].ifname, name)) {
            return &bindings[i];
        }
    }
    return NULL;
}

static bool
tap_wanted(const struct relay_taps_ctx *ctx, const char *name)
{
    for (size_t i = 0; i < ctx->plan->n_peers; i++) {
        const struct tunnel_peer *p = &ctx->plan->peers[i];
        if (p->relay && !strcmp(p->tap, name)) {
            return true;
        }
    }
    return find_port(ctx->bindings, ctx->n_bindings, name) != NULL;
}

static bool
can_look(const struct relay_taps_ctx *ctx)
{
    return ctx->netns_fd >= 0 && ctx->db_ready;
}

/* Deletes the taps unwanted for RELAY_TAPS_STALE_MS; 'taps' are those of
 * the namespace. */
static void
sweep(struct relay_taps *t, const struct relay_taps_ctx *ctx,
      const struct sset *taps, long long int now)
{
    long long int next = now + SWEEP_MS;
    struct shash unwanted = SHASH_INITIALIZER(&unwanted);
    const char *name;
    SSET_FOR_EACH (name, taps) {
        if (!tunnel_is_relay_tap(name) || tap_wanted(ctx, name)) {
            continue;
        }
        long long int *since = shash_find_and_delete(&t->unwanted, name);
        if (!since) {
            since = xmalloc(sizeof *since);
            *since = now;
        }
        if (now >= *since + RELAY_TAPS_STALE_MS) {
            vif_tap_delete(ctx->netns_fd, name);
            free(since);
        } else {
            shash_add(&unwanted, name, since);
            next = MIN(next, *since + RELAY_TAPS_STALE_MS);
        }
    }
    /* Taps wanted again, or gone, are forgotten. */
    shash_swap(&t->unwanted, &unwanted);
    shash_destroy_free_data(&unwanted);
    t->sweep_at = next;
    t->swept = shash_is_empty(&t->unwanted);
}

/* Adds to 'unplugged' the relay peers' taps that are ports of the switch but
 * not in its namespace.  Returns true if there was one. */
static bool
check(struct relay_taps *t, const struct relay_taps_ctx *ctx,
      const struct sset *taps)
{
    bool gone = false;
    for (size_t i = 0; i < ctx->plan->n_peers; i++) {
        const struct tunnel_peer *p = &ctx->plan->peers[i];
        if (!p->relay || sset_contains(taps, p->tap)
            || sset_contains(&t->unplugged, p->tap)) {
            continue;
        }
        /* On the netdev datapath ovs-vswitchd makes the tap once the port
         * is there: only a port with an OpenFlow port had one. */
        const struct switch_db_binding *b = find_port(ctx->bindings,
                                                      ctx->n_bindings, p->tap);
        if (b && (b->ofport > 0 || ctx->owns_taps)) {
            VLOG_INFO("switch %s: relay tap %s is gone; plugging it in again",
                      t->switch_name, p->tap);
            sset_add(&t->unplugged, p->tap);
            gone = true;
        }
    }
    return gone;
}

bool
relay_taps_run(struct relay_taps *t, const struct relay_taps_ctx *ctx)
{
    long long int now = time_msec();
    bool sweep_due = ctx->owns_taps && now >= t->sweep_at;
    bool check_due = ctx->relay_running && now >= t->check_at;
    if ((!sweep_due && !check_due) || !can_look(ctx)) {
        return false;
    }
    struct sset taps = SSET_INITIALIZER(&taps);
    if (vif_list_links(ctx->netns_fd, "tun", &taps)) {
        t->sweep_at = MAX(t->sweep_at, now + 1000);
        t->check_at = now + CHECK_MS;
        sset_destroy(&taps);
        return false;
    }
    if (sweep_due) {
        sweep(t, ctx, &taps, now);
    }
    bool gone = false;
    if (check_due) {
        gone = check(t, ctx, &taps);
        t->check_at = now + CHECK_MS;
    }
    sset_destroy(&taps);
    return gone;
}

void
relay_taps_wait(const struct relay_taps *t, const struct relay_taps_ctx *ctx)
{
    if (can_look(ctx)) {
        if (ctx->owns_taps) {
            poll_timer_wait_until(t->sweep_at);
        }
        if (ctx->relay_running) {
            poll_timer_wait_until(t->check_at);
        }
    }
}

bool
relay_taps_any_unplugged(const struct relay_taps *t)
{
    return !sset_is_empty(&t->unplugged);
}

const struct sset *
relay_taps_unplugged(struct relay_taps *t, const struct sset *in_use)
{
    const char *name;
    SSET_FOR_EACH_SAFE (name, &t->unplugged) {
        if (!sset_contains(in_use, name)) {
            sset_delete(&t->unplugged, SSET_NODE_FROM_NAME(name));
        }
    }
    return &t->unplugged;
}
